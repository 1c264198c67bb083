"""`newsstance serve` against a real server: a subprocess on a free localhost port, called over HTTP."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from model import StanceClassifier, split_sentences
from model.serving.app import create_app
from tests.conftest import REPO

TEXTS = [
    "The foreign ministry said the new sanctions would take effect on Monday.",
    "A government spokesman dismissed the footage as staged.",
    "Officials said the convoy may have been carrying fuel.",
    "Two villages near the river were shelled overnight, the regional governor said.",
]
ARTICLE = "Ceasefire holds\r\n\r\nGENEVA — Col. Idris Mansour denied the report. Résidents: «Nous avons peur.»\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(model_dir: Path, *options: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "newsstance", "serve", "--model", str(model_dir), "--port", str(port), *options],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.stdout.read()[-3000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError("server did not become ready in 60 s")


@pytest.fixture(scope="module")
def server(tiny_model_dir: Path) -> Iterator[str]:
    process, url = start_server(tiny_model_dir, "--max-texts", "8", "--max-text-chars", "500", "--max-body-bytes", "20000")
    yield url
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def test_predict_gives_the_python_apis_numbers_in_input_order(server: str, tiny_model_dir: Path) -> None:
    response = httpx.post(f"{server}/v1/predict", json={"texts": TEXTS})
    assert response.status_code == 200
    expected = StanceClassifier.from_pretrained(tiny_model_dir, device="cpu").predict(TEXTS)
    got = response.json()["predictions"]
    assert [row["stance"] for row in got] == [p.stance for p in expected]
    for row, prediction in zip(got, expected):
        assert row["stance_score"] == pytest.approx(prediction.stance_score, abs=1e-5)
        assert row["sentiment_probs"] == pytest.approx(prediction.sentiment_probs, abs=1e-5)


def test_score_rows_slice_the_article_like_the_command(server: str) -> None:
    response = httpx.post(f"{server}/v1/score", json={"articles": [{"id": "a1", "text": ARTICLE}]})
    assert response.status_code == 200
    (article,) = response.json()["articles"]
    assert article["id"] == "a1"
    assert [row["text"] for row in article["sentences"]] == [s.text for s in split_sentences(ARTICLE)]
    assert article["sentences"][1]["text"] == "GENEVA — Col. Idris Mansour denied the report."
    for row in article["sentences"]:
        assert ARTICLE[row["start"]:row["end"]] == row["text"]
        assert row["stance"] == row["stance_guess"] and set(row["stance_probs"]) >= {"denial", "hedge"}


def test_model_health_and_readiness(server: str) -> None:
    assert httpx.get(f"{server}/healthz").json() == {"status": "ok"}
    info = httpx.get(f"{server}/v1/model").json()
    assert info["stance_labels"][0] == "official_assertion" and info["runtime"] == "pytorch"
    assert "/v1/predict" in httpx.get(f"{server}/openapi.json").json()["paths"]


@pytest.mark.parametrize(
    "body, headers, status, names",
    [
        ('{"texts": ["unterminated', {"content-type": "application/json"}, 422, "json"),
        ('{"texts": "not a list"}', {"content-type": "application/json"}, 422, "texts"),
        ('{"texts": [1, 2]}', {"content-type": "application/json"}, 422, "texts"),
        ('{"texts": []}', {"content-type": "application/json"}, 422, "texts"),
        ('{"texts": ["a"], "extra": 1}', {"content-type": "application/json"}, 422, "extra"),
        ('{"texts": ["   "]}', {"content-type": "application/json"}, 422, "texts[0]: empty text"),
        (json.dumps({"texts": ["x"] * 9}), {"content-type": "application/json"}, 422, "at most 8 texts"),
        (json.dumps({"texts": ["x" * 501]}), {"content-type": "application/json"}, 422, "texts[0]: longer than 500"),
        (json.dumps({"texts": ["x" * 400] * 60}), {"content-type": "application/json"}, 413, "larger than 20000 bytes"),
        ("[1, 2]", {"content-type": "application/json"}, 422, "body"),
        ('{"texts": ["\\ud800 lone surrogate"]}', {"content-type": "application/json"}, 422, "lone surrogate"),
        ('{"texts": NaN}', {"content-type": "application/json"}, 422, "texts"),  # Python's json reads NaN
        ('{"texts": ["a"], "x": -Infinity}', {"content-type": "application/json"}, 422, "extra_forbidden"),
    ],
)
def test_each_bad_request_gets_its_4xx_and_the_server_keeps_serving(
    server: str, body: str, headers: dict, status: int, names: str
) -> None:
    response = httpx.post(f"{server}/v1/predict", content=body, headers=headers)
    assert response.status_code == status
    assert names in json.dumps(response.json())
    assert httpx.post(f"{server}/v1/predict", json={"texts": TEXTS[:1]}).status_code == 200


def test_a_streamed_body_over_the_limit_gets_the_413_too(server: str) -> None:
    """Chunked uploads carry no Content-Length; they are counted as they arrive."""
    chunks = (json.dumps({"texts": ["x" * 400] * 60}).encode()[i : i + 1000] for i in range(0, 24200, 1000))
    response = httpx.post(f"{server}/v1/predict", content=chunks, headers={"content-type": "application/json"})
    assert response.status_code == 413 and "larger than 20000 bytes" in response.json()["detail"]
    small = iter([json.dumps({"texts": TEXTS[:1]}).encode()])
    assert httpx.post(f"{server}/v1/predict", content=small, headers={"content-type": "application/json"}).status_code == 200


def test_bad_score_requests_name_the_field(server: str) -> None:
    for body, names in [
        ({"articles": [{"id": "a", "text": "x"}], "min_confidence": 2}, "min_confidence"),
        ('{"articles": [{"id": "a", "text": "x"}], "min_confidence": NaN}', "min_confidence"),
        ('{"articles": [{"id": "\\udc00", "text": "x"}]}', '"id"'),
        ('{"articles": [{"id": "a", "text": "x \\ud800"}]}', "lone surrogate"),
        ({"articles": [{"text": "x"}]}, "id"),
        ({"articles": []}, "articles"),
        ({"articles": [{"id": "a", "text": "x"}], "wrapped": "yes"}, "wrapped"),
    ]:
        content = body if isinstance(body, str) else json.dumps(body)
        response = httpx.post(f"{server}/v1/score", content=content, headers={"content-type": "application/json"})
        assert response.status_code == 422 and names in json.dumps(response.json())


def test_64_concurrent_clients_all_get_their_own_answers(server: str, tiny_model_dir: Path) -> None:
    expected = {p.stance for p in StanceClassifier.from_pretrained(tiny_model_dir, device="cpu").predict(TEXTS)}
    singles = {text: httpx.post(f"{server}/v1/predict", json={"texts": [text]}).json()["predictions"][0] for text in TEXTS}
    assert {row["stance"] for row in singles.values()} <= expected

    def call(i: int) -> tuple[str, dict]:
        text = TEXTS[i % len(TEXTS)]
        response = httpx.post(f"{server}/v1/predict", json={"texts": [text]}, timeout=60)
        assert response.status_code == 200
        return text, response.json()["predictions"][0]

    with ThreadPoolExecutor(max_workers=64) as pool:
        results = list(pool.map(call, range(64)))
    assert len(results) == 64
    for text, prediction in results:  # batched with others, each answer is still its own sentence's
        assert prediction["stance"] == singles[text]["stance"]
        assert prediction["stance_score"] == pytest.approx(singles[text]["stance_score"], abs=1e-4)


def test_shutdown_finishes_the_request_in_flight(tiny_model_dir: Path) -> None:
    process, url = start_server(tiny_model_dir, "--max-wait-ms", "1500", "--max-batch", "1000")
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(httpx.post, f"{url}/v1/predict", json={"texts": TEXTS}, timeout=30)
        time.sleep(0.5)  # the request is queued, waiting for companions
        process.send_signal(signal.SIGTERM)
        response = pending.result()
    assert response.status_code == 200 and len(response.json()["predictions"]) == len(TEXTS)
    assert process.wait(timeout=30) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once it has shut down
    log = process.stdout.read()
    assert "POST /v1/predict HTTP/1.1\" 200" in log  # the access log has a line per request
    assert "Application shutdown complete" in log


def test_an_internal_failure_is_a_500_and_the_next_request_succeeds(tiny_model_dir: Path, monkeypatch) -> None:
    import model.serving.batcher as batcher

    real_forward = batcher.Batcher._forward
    failures = iter([True])

    def flaky(self, texts):  # noqa: ANN001
        if next(failures, False):
            raise RuntimeError("out of memory")
        return real_forward(self, texts)

    monkeypatch.setattr(batcher.Batcher, "_forward", flaky)
    with TestClient(create_app(tiny_model_dir, device="cpu"), raise_server_exceptions=False) as client:
        deadline = time.monotonic() + 30
        while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        failed = client.post("/v1/predict", json={"texts": TEXTS})
        assert failed.status_code == 500 and "out of memory" in failed.json()["detail"]
        assert client.post("/v1/predict", json={"texts": TEXTS}).status_code == 200


def test_serve_refuses_a_missing_model_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "newsstance", "serve", "--model", str(tmp_path / "none")],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stderr.strip() == f"newsstance: error: {tmp_path / 'none'}: no such model directory"


def test_a_port_out_of_range_is_refused_before_the_model_loads(tiny_model_dir: Path, capsys) -> None:
    from newsstance.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--model", str(tiny_model_dir), "--port", "70000"])
    assert exit_.value.code == 2
    assert "argument --port: 70000 is not a port number (0 to 65535)" in capsys.readouterr().err
