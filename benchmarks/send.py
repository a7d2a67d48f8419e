#!/usr/bin/env python3
"""Benchmark section "send": MIME per recipient, SMTP throughput, memory from 1,000 to 10,000 recipients.

    .venv/bin/python benchmarks/send.py            # this section (results merged into results.json)
    .venv/bin/python benchmarks/send.py --quick    # smaller counts: a smoke test

- **mime**: ``MessageFactory.render`` of the seed issue for one recipient
  (headers, quoted-printable parts, CRLF bytes), median microseconds over
  2,000 recipients; the body is built once per send.
- **smtp**: ``SmtpProvider`` test sends of the seed to a local aiosmtpd
  (``aiosmtpd.handlers.Sink``, a separate process on 127.0.0.1), one
  connection reused; messages per second over 1,000 recipients. Goal
  (issue 5): 200 messages/s or more, stated as at most 5 ms per message.
  Wall time swings with the load of the shared 2 cores, so the client's and
  the server's CPU time per message are measured too: the client waits for
  each reply, so on an idle machine a message costs about their sum.
- **memory**: peak RSS of a whole process that builds the seed and sends it
  by SMTP to 1,000 and then 10,000 recipients. Messages are streamed (never
  all held), so the peak may grow only by the per-recipient outcome table:
  the goal is at most 10 MiB of growth.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench_run  # noqa: E402 - the registry lives beside this file

CHILD = """
import sys
from pathlib import Path
from newsletter_pipeline.commands.send import make_content
from newsletter_pipeline.config import Config
from newsletter_pipeline.ledger import Ledger
from newsletter_pipeline.providers.smtp import SmtpProvider
from newsletter_pipeline.render import build_issue

seed, port, count, scratch = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
loaded, rendered = build_issue(Path(seed))
config = Config({"NEWSLETTER_SMTP_HOST": "127.0.0.1", "NEWSLETTER_SMTP_PORT": port,
                 "NEWSLETTER_SMTP_SECURITY": "none"})
content = make_content(loaded, rendered, config)
result = SmtpProvider(config, Ledger(Path(scratch))).test_send(content, [f"r{i}@example.org" for i in range(count)])
assert len(result.outcomes) == count and not result.failed
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux /proc), load-independent."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def sink_server() -> Iterator[subprocess.Popen[bytes]]:
    """aiosmtpd's Sink handler (accepts and drops every message) in its own process."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                               "-c", "aiosmtpd.handlers.Sink"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise SystemExit("aiosmtpd did not start")
        server.port = port  # type: ignore[attr-defined]
        yield server
    finally:
        server.terminate()
        server.wait(timeout=10)


def seed_content() -> Any:
    from newsletter_pipeline.commands.send import make_content
    from newsletter_pipeline.config import Config
    from newsletter_pipeline.render import build_issue

    loaded, rendered = build_issue(bench_run.SEED)
    return make_content(loaded, rendered, Config({}))


def mime_figures(content: Any, count: int) -> dict[str, Any]:
    from newsletter_pipeline.message import MessageFactory, Unsubscribe

    start = time.perf_counter()
    factory = MessageFactory(content, Unsubscribe.parse(["https://example.org/u"], content.from_email))
    setup_us = (time.perf_counter() - start) * 1e6
    samples = []
    for i in range(count):
        start = time.perf_counter()
        data = factory.render(f"reader{i}@example.org")
        samples.append((time.perf_counter() - start) * 1e6)
    return {"recipients": count, "median_us": round(statistics.median(samples), 1),
            "p95_us": round(sorted(samples)[int(count * 0.95)], 1), "factory_setup_us": round(setup_us, 1),
            "message_bytes": len(data)}


def smtp_figures(content: Any, server: subprocess.Popen[bytes], count: int, scratch: Path) -> dict[str, Any]:
    """Wall time, and the CPU time of client and server per message.

    The wall figure depends on what else runs on the 2 cores; the CPU figures
    do not. The client waits for the server's reply to each message, so on an
    idle machine a message costs about client + server CPU time.
    """
    from newsletter_pipeline.config import Config
    from newsletter_pipeline.ledger import Ledger
    from newsletter_pipeline.providers.smtp import SmtpProvider

    config = Config({"NEWSLETTER_SMTP_HOST": "127.0.0.1", "NEWSLETTER_SMTP_PORT": str(server.port),  # type: ignore[attr-defined]
                     "NEWSLETTER_SMTP_SECURITY": "none"})
    recipients = [f"reader{i}@example.org" for i in range(count)]
    server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
    start = time.perf_counter()
    result = SmtpProvider(config, Ledger(scratch)).test_send(content, recipients)
    elapsed = time.perf_counter() - start
    client_ms = (time.process_time() - client_cpu) / count * 1000
    server_ms = (cpu_seconds(server.pid) - server_cpu) / count * 1000
    assert not result.failed and len(result.outcomes) == count
    return {"recipients": count, "seconds": round(elapsed, 3), "messages_per_s": round(count / elapsed, 1),
            "ms_per_message": round(elapsed / count * 1000, 3), "client_cpu_ms_per_message": round(client_ms, 3),
            "server_cpu_ms_per_message": round(server_ms, 3),
            "cpu_bound_messages_per_s": round(1000 / (client_ms + server_ms), 1)}


@bench_run.section("send", "MIME per recipient, SMTP test sends to aiosmtpd (one connection), memory 1k->10k")
def send_section(bench: bench_run.Bench) -> dict[str, Any]:
    content = seed_content()
    mime = mime_figures(content, bench.runs(2000, 200))
    small, large = bench.runs(1000, 200), bench.runs(10000, 2000)
    with sink_server() as server:
        smtp_figures(content, server, 50, bench.scratch)  # warm-up
        smtp = smtp_figures(content, server, bench.runs(1000, 200), bench.scratch)
        argv = [sys.executable, "-c", CHILD, str(bench_run.SEED), str(server.port)]  # type: ignore[attr-defined]
        peaks = {}
        for count in (small, large):
            _, kib = bench.run_process([*argv, str(count), str(bench.scratch)])
            peaks[count] = round(kib / 1024, 1)
    growth = round(peaks[large] - peaks[small], 1)
    return {
        "mime": mime,
        "smtp": smtp,
        "memory": {"peak_rss_mib": {str(k): v for k, v in peaks.items()}, "growth_mib": growth},
        "figures": [
            bench_run.figure("MIME message per recipient (median)", f"{mime['median_us']} µs"),
            bench_run.figure("SMTP test sends, one connection (wall / CPU-bound)",
                             f"{smtp['messages_per_s']} / {smtp['cpu_bound_messages_per_s']} messages/s"),
            bench_run.figure(f"peak RSS of a send to {small:,} / {large:,} recipients",
                             f"{peaks[small]} / {peaks[large]} MiB"),
        ],
        "targets": [
            bench_run.target("SMTP wall time per message (>= 200 messages/s)", smtp["ms_per_message"], 5.0, "ms"),
            bench_run.target("SMTP client+server CPU per message (>= 200 messages/s on an idle machine)",
                             round(smtp["client_cpu_ms_per_message"] + smtp["server_cpu_ms_per_message"], 3),
                             5.0, "ms"),
            bench_run.target(f"peak RSS growth from {small:,} to {large:,} recipients", growth, 10.0, "MiB"),
        ],
    }


if __name__ == "__main__":
    sys.exit(bench_run.main(["send", *sys.argv[1:]]))
