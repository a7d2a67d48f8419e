"""``newsletter`` as a process of its own, forked from a server that has already imported the package.

``run(args, cwd=..., env=..., input=..., timeout=...)`` answers what
``subprocess.run([*newsletter_command(), *args], capture_output=True,
text=True, ...)`` answers (``CompletedProcess``, or ``TimeoutExpired`` after
killing the process), from a fork of ``cli_forkserver.py``: the same
arguments, environment, folder and streams, without the interpreter's start-up
and the package's imports each time (why, and what that leaves out: the
server's docstring). One server per pytest worker, started on first use and
stopped at exit. A run whose environment changes a ``PYTHON*`` setting (read
at start-up), or asked ``fresh=True``, starts a fresh interpreter, and
``NEWSLETTER_TESTS_FRESH_CLI=1`` starts every CLI so.
"""

from __future__ import annotations

import atexit
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from cli_forkserver import HEADER

SERVER = Path(__file__).with_name("cli_forkserver.py")
# without fork (Windows) every run is a fresh interpreter, as it is on request
FRESH = os.environ.get("NEWSLETTER_TESTS_FRESH_CLI", "") == "1" or not hasattr(os, "fork")

_lock = threading.Lock()
_server: tuple[subprocess.Popen[bytes], str] | None = None


def command() -> list[str]:
    """What the process stands for (``CompletedProcess.args``): the CLI as ``python -m``."""
    return [sys.executable, "-m", "newsletter_pipeline"]


def _start() -> str:
    global _server
    with _lock:
        if _server is None or _server[0].poll() is not None:
            folder = tempfile.mkdtemp(prefix="newsletter-cli-server-")
            path = os.path.join(folder, "socket")
            process = subprocess.Popen([sys.executable, str(SERVER), path], stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, cwd=folder)
            ready = process.stdout.readline() if process.stdout else b""
            if ready != b"ready\n":
                raise RuntimeError(f"the CLI fork server did not start (exit {process.wait()})")
            _server = (process, path)
            atexit.register(_stop, process, folder)
        return _server[1]


def _stop(process: subprocess.Popen[bytes], folder: str) -> None:
    process.kill()
    process.wait()
    for name in os.listdir(folder):
        os.unlink(os.path.join(folder, name))
    os.rmdir(folder)


def _startup_settings(env: Mapping[str, str]) -> dict[str, str]:
    """What the interpreter reads at start-up (``PYTHON*``): a run that changes one needs a fresh one."""
    return {name: value for name, value in env.items() if name.startswith("PYTHON")}


def _text(data: bytes) -> str:
    """As ``subprocess.run(text=True)`` decodes: the locale's encoding, universal newlines."""
    import locale

    return data.decode(locale.getpreferredencoding(False)).replace("\r\n", "\n").replace("\r", "\n")


def run(args: list[str], *, cwd: Path | str, env: dict[str, str], input: str | None = None,
        timeout: float = 120, fresh: bool = False, stdout: int | None = None) -> subprocess.CompletedProcess[str]:
    """``fresh``: a new interpreter, for what start-up does (imports, ``-X`` options, the environment's
    ``PYTHON*`` settings). ``stdout``: a file descriptor to write to instead of a pipe (the answer's
    stdout is then empty)."""
    cmd = [*command(), *args]
    if FRESH or fresh or _startup_settings(env) != _startup_settings(os.environ):
        done = subprocess.run(cmd, cwd=cwd, env=env, input=input, stdout=subprocess.PIPE if stdout is None
                              else stdout, stderr=subprocess.PIPE, text=True, timeout=timeout)
        done.stdout = done.stdout or ""
        return done
    deadline = time.monotonic() + timeout
    path = _start()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    in_r, in_w = os.pipe() if input is not None else (os.open(os.devnull, os.O_RDONLY), None)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
        payload = json.dumps({"args": list(args), "env": dict(env), "cwd": str(cwd)}).encode()
        socket.send_fds(conn, [HEADER.pack(len(payload))], [in_r, out_w if stdout is None else stdout, err_w])
        conn.sendall(payload)
    finally:
        for fd in (in_r, out_w, err_w):  # the child holds its own copies now
            os.close(fd)
    if in_w is not None:
        writer = threading.Thread(target=_feed, args=(in_w, input.encode()), daemon=True)
        writer.start()
    outputs = {out_r: bytearray(), err_r: bytearray()}
    answer = bytearray()
    pid: int | None = None
    status: int | None = None
    with selectors.DefaultSelector() as selector:
        selector.register(out_r, selectors.EVENT_READ)
        selector.register(err_r, selectors.EVENT_READ)
        selector.register(conn, selectors.EVENT_READ)
        open_ends = 3
        while open_ends:
            left = deadline - time.monotonic()
            events = selector.select(max(left, 0)) if left > 0 else []
            if not events:
                if pid is not None:
                    os.kill(pid, signal.SIGKILL)
                conn.close()
                for fd in outputs:
                    os.close(fd)
                raise subprocess.TimeoutExpired(cmd, timeout, bytes(outputs[out_r]), bytes(outputs[err_r]))
            for key, _ in events:
                if key.fileobj is conn:
                    chunk = conn.recv(4096)
                    answer += chunk
                    lines = answer.split(b"\n")
                    for line in lines[:-1]:
                        message = json.loads(line)
                        pid = message.get("pid", pid)
                        status = message.get("status", status)
                    answer = bytearray(lines[-1])
                else:
                    chunk = os.read(key.fileobj, 65536)
                    outputs[key.fileobj] += chunk
                if not chunk:
                    selector.unregister(key.fileobj)
                    open_ends -= 1
    conn.close()
    for fd in outputs:
        os.close(fd)
    if status is None:
        raise RuntimeError("the CLI fork server ended the connection without the process's status")
    return subprocess.CompletedProcess(cmd, os.waitstatus_to_exitcode(status), _text(bytes(outputs[out_r])),
                                       _text(bytes(outputs[err_r])))


def _feed(fd: int, data: bytes) -> None:
    try:
        with open(fd, "wb") as stream:
            stream.write(data)
    except BrokenPipeError:  # the command stopped reading, as subprocess.run tolerates too
        pass
