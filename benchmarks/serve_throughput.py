"""Throughput and latency of `newsstance serve` under concurrent clients, against named peers, in one run.

    python benchmarks/serve_throughput.py --model runs/default [--onnx-model runs/default-int8]
        [--clients 1,8,64] [--requests 512]

Each client sends one-sentence POST /v1/predict requests back to back (sentences from the corpus's
held-out splits). Servers, each a fresh subprocess on a free localhost port, measured in turn:
(a) `newsstance serve` with dynamic batching (defaults: --max-batch 64 --max-wait-ms 5),
(b) the same server with --no-batching (one forward pass per request),
(c) transformers' pipeline("text-classification") behind a minimal FastAPI endpoint
    (benchmarks/pipeline_server.py), and with --onnx-model also (a) and (b) on that model.
Prints sentences/s and p50/p99 latency per server and client count, then the ratio (a)/(b).
"""

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import REPO, corpus_sentences  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command: list[str], port: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server failed to start: {' '.join(command)}\n{process.stderr.read()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    process.kill()
    raise SystemExit(f"server not ready after 180 s: {' '.join(command)}")


async def load(url: str, sentences: list[str], clients: int, requests: int) -> dict[str, float]:
    latencies: list[float] = []
    counter = iter(range(requests))

    async def client(http: httpx.AsyncClient) -> None:
        for i in counter:
            started = time.perf_counter()
            response = await http.post(f"{url}/v1/predict", json={"texts": [sentences[i % len(sentences)]]})
            response.raise_for_status()
            latencies.append(time.perf_counter() - started)

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        for i in range(min(8, requests)):  # warm-up: first forward passes, connection set-up
            await http.post(f"{url}/v1/predict", json={"texts": [sentences[i]]})
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "sentences_per_s": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="trained PyTorch model directory")
    parser.add_argument("--onnx-model", help="an exported (e.g. int8) model directory, served the same way")
    parser.add_argument("--clients", default="1,8,64", help="comma-separated concurrent client counts")
    parser.add_argument("--requests", type=int, default=512, help="one-sentence requests per measurement")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="torch threads in each server")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    sentences = corpus_sentences(2000)
    clients = [int(part) for part in args.clients.split(",")]
    serve = [sys.executable, "-m", "newsstance", "serve", "--no-access-log", "--device", args.device]
    servers = {
        "(a) pytorch, batching": serve + ["--model", args.model],
        "(b) pytorch, no batching": serve + ["--model", args.model, "--no-batching"],
        "(c) pipeline + minimal FastAPI": [sys.executable, "benchmarks/pipeline_server.py", "--model", args.model],
    }
    if args.onnx_model:
        servers["(a) onnx, batching"] = serve + ["--model", args.onnx_model]
        servers["(b) onnx, no batching"] = serve + ["--model", args.onnx_model, "--no-batching"]
    results: dict[tuple[str, int], dict[str, float]] = {}
    print(f"{args.requests} one-sentence requests per cell; {args.threads} torch threads per server")
    print(f"{'server':<36} {'clients':>7} {'sent/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name, command in servers.items():
        port = free_port()
        process = start(command + ["--port", str(port)], port, args.threads)
        try:
            for count in clients:
                result = asyncio.run(load(f"http://127.0.0.1:{port}", sentences, count, args.requests))
                results[(name, count)] = result
                speed, p50, p99 = result["sentences_per_s"], result["p50_ms"], result["p99_ms"]
                print(f"{name:<36} {count:>7} {speed:>8.1f} {p50:>8.1f} {p99:>8.1f}")
        finally:
            process.terminate()
            process.wait(timeout=60)
    print()
    for runtime in ("pytorch", "onnx"):
        for count in clients:
            a, b = results.get((f"(a) {runtime}, batching", count)), results.get((f"(b) {runtime}, no batching", count))
            if a and b:
                print(f"{runtime}, {count} clients: batching / no batching = "
                      f"{a['sentences_per_s'] / b['sentences_per_s']:.2f}x sentences/s, "
                      f"p99 {a['p99_ms']:.0f} vs {b['p99_ms']:.0f} ms")
    for count in clients:
        a, c = results[("(a) pytorch, batching", count)], results[("(c) pipeline + minimal FastAPI", count)]
        print(f"{count} clients: newsstance serve / pipeline endpoint = {a['sentences_per_s'] / c['sentences_per_s']:.2f}x")

if __name__ == "__main__":
    main()
