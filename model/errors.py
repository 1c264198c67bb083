"""The one exception users can cause; the CLI turns it into a one-line message."""


class NewsStanceError(Exception):
    """A problem the user can fix: the message names the file, line or key and what to do."""
