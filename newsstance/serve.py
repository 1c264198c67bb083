"""`newsstance serve`: the model as an HTTP JSON service (FastAPI on uvicorn)."""

import argparse

from model.serving.limits import ServeLimits
from newsstance.arguments import add_device, add_model, positive_int, whole_number

LIMIT_DEFAULTS = ServeLimits()


def port(value: str) -> int:
    """Checked here: uvicorn would only fail once the model has loaded, with a traceback."""
    number = whole_number(value)
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (0 to 65535)")
    return number


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "serve",
        help="serve the model over HTTP: POST /v1/predict and /v1/score, GET /v1/model (docs at /docs)",
        description=(
            "Serve a PyTorch or exported ONNX model directory as a JSON API. Requests that arrive together "
            "are scored in one batch (up to --max-batch sentences, waiting at most --max-wait-ms). "
            "Loopback only by default; put a reverse proxy in front before exposing it."
        ),
    )
    add_model(parser, help="trained model directory (PyTorch or ONNX)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=port, default=8000, help="port (default: 8000; 0 picks a free one)")
    parser.add_argument("--max-batch", type=positive_int, default=64, metavar="N", help="sentences per forward pass")
    parser.add_argument("--max-wait-ms", type=float, default=5.0, metavar="MS",
                        help="how long the first request of a batch waits for others (default: 5)")
    parser.add_argument("--no-batching", action="store_true", help="one forward pass per request (for comparison)")
    add_device(parser)
    parser.add_argument("--max-body-bytes", type=positive_int, default=LIMIT_DEFAULTS.max_body_bytes, metavar="N")
    parser.add_argument("--max-texts", type=positive_int, default=LIMIT_DEFAULTS.max_texts, metavar="N",
                        help="texts per /v1/predict request")
    parser.add_argument("--max-text-chars", type=positive_int, default=LIMIT_DEFAULTS.max_text_chars, metavar="N")
    parser.add_argument("--max-articles", type=positive_int, default=LIMIT_DEFAULTS.max_articles, metavar="N",
                        help="articles per /v1/score request")
    parser.add_argument("--max-article-chars", type=positive_int, default=LIMIT_DEFAULTS.max_article_chars, metavar="N")
    parser.add_argument("--no-access-log", action="store_true", help="do not log one line per request")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    import uvicorn

    from model.errors import NewsStanceError
    from model.serving.app import create_app
    from model.storage import check_model_dir

    if args.max_wait_ms < 0:
        raise NewsStanceError(f"--max-wait-ms {args.max_wait_ms}: give zero or more milliseconds")
    check_model_dir(Path(args.model))
    limits = ServeLimits(
        max_body_bytes=args.max_body_bytes,
        max_texts=args.max_texts,
        max_text_chars=args.max_text_chars,
        max_articles=args.max_articles,
        max_article_chars=args.max_article_chars,
    )
    app = create_app(args.model, args.device, args.max_batch, args.max_wait_ms, not args.no_batching, limits)
    uvicorn.run(app, host=args.host, port=args.port, access_log=not args.no_access_log, timeout_graceful_shutdown=30)
    return 0
