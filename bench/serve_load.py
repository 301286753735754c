"""Load generator for lm-serve: C concurrent streaming clients on loopback for a while.

Usage: serve_load.py PORT MODEL CLIENTS SECONDS MAX_TOKENS PROMPT
Each client sends POST /v1/completions with "stream": true (temperature 1, its own seeds) in a
loop; it records the time to the first token, the gap between tokens, and the status of each
request (200; 429/503 refused, honoured by waiting Retry-After; anything else, or a broken
stream, an error). Prints one JSON line: clients, tokens/s over the wall time, requests,
refused, errors, p50/p99 time to first token and per-token gap (ms).
Standard library only (asyncio streams, HTTP/1.1 chunked server-sent events).
"""
import asyncio
import json
import sys
import time

port, model, clients, seconds, max_tokens, prompt = (int(sys.argv[1]), sys.argv[2], int(sys.argv[3]),
                                                     float(sys.argv[4]), int(sys.argv[5]), sys.argv[6])


async def one_request(seed, stats):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = json.dumps({"model": model, "prompt": prompt, "max_tokens": max_tokens, "stream": True,
                       "temperature": 1, "seed": seed}).encode()
    writer.write(b"POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                 b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    start = time.perf_counter()
    await writer.drain()
    status_line = await reader.readline()
    status = int(status_line.split()[1]) if status_line else 0
    headers = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    if status != 200:
        await reader.read()
        writer.close()
        return status, float(headers.get("retry-after", "1"))
    tokens, last, done = 0, None, False
    buffer = b""
    while not done:
        size_line = await reader.readline()
        if not size_line:
            break
        size = int(size_line.strip() or b"0", 16)
        if size == 0:
            break
        chunk = await reader.readexactly(size + 2)
        buffer += chunk[:-2]
        while b"\n\n" in buffer:
            event, buffer = buffer.split(b"\n\n", 1)
            if not event.startswith(b"data: "):
                continue
            data = event[6:]
            if data == b"[DONE]":
                done = True
                break
            choice = json.loads(data)["choices"][0]
            if choice.get("finish_reason") is None or choice.get("text"):
                now = time.perf_counter()
                if last is None:
                    stats["ttft"].append(now - start)
                else:
                    stats["gap"].append(now - last)
                last = now
                tokens += 1
    writer.close()
    if not done:
        return -1, 0
    stats["tokens"] += tokens
    return 200, 0


async def client(index, deadline, stats):
    seed = index * 1000
    while time.perf_counter() < deadline:
        try:
            status, wait = await one_request(seed, stats)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            status, wait = -1, 0
        seed += 1
        stats["requests"] += 1
        if status in (429, 503):
            stats["refused"] += 1
            await asyncio.sleep(min(wait, 1.0))
        elif status != 200:
            stats["errors"] += 1
            await asyncio.sleep(0.05)


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000


async def main():
    stats = {"tokens": 0, "requests": 0, "refused": 0, "errors": 0, "ttft": [], "gap": []}
    start = time.perf_counter()
    await asyncio.gather(*(client(i, start + seconds, stats) for i in range(clients)))
    wall = time.perf_counter() - start
    print(json.dumps({"clients": clients, "tokens_per_second": stats["tokens"] / wall, "tokens": stats["tokens"],
                      "requests": stats["requests"], "refused": stats["refused"], "errors": stats["errors"],
                      "ttft_p50_ms": percentile(stats["ttft"], 50), "ttft_p99_ms": percentile(stats["ttft"], 99),
                      "gap_p50_ms": percentile(stats["gap"], 50), "gap_p99_ms": percentile(stats["gap"], 99),
                      "seconds": wall}))


asyncio.run(main())
