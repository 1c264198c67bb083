"""`newsstance serve`: the classifier as a JSON API (FastAPI), with requests batched together.

`limits` are what one request may ask for; `batcher` gathers the sentences of concurrent requests
into one length-sorted forward pass on one inference thread; `schemas` are the request and response
models (validated by FastAPI, documented at `/docs`); `app` builds the application with its limits
and error handling.
"""
