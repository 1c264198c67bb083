"""`python -m newsstance ...` and `accelerate launch -m newsstance ...` run the command line."""

import sys

from newsstance.cli import main

sys.exit(main())
