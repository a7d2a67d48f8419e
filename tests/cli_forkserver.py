"""A process that has imported the whole package once, and forks a ``newsletter`` process per request.

Run by ``cli_process.py`` (one per pytest worker), never imported. Most of a
CLI run in the suite was the interpreter starting and importing the package
(~0.3 s of CPU of ~0.45 s); ~280 of them made a third of the suite's time.
Here each run is still a real process of its own: a fork of this one, with
the test's arguments, environment (``os.environ`` replaced, so C code sees it
too), working folder, standard streams (the test's pipes, passed over the
socket) and ``sys.path[0]``, running ``python -m newsletter_pipeline`` through
``runpy`` as the interpreter would, and ending as the interpreter ends
(threads, atexit, flushes, the code it chose: ``shut_down``). What it skips
is start-up, import and the modules' teardown at exit: tests of those start
a fresh interpreter (``shared.newsletter_command()``), and
``NEWSLETTER_TESTS_FRESH_CLI=1`` runs every CLI fresh.

Nothing may run at import time that depends on the environment, the working
folder or the time: this process imports with the pytest worker's ones.
(``checks/linkcheck.py`` used to build its TLS context at import, reading
``SSL_CERT_FILE`` then; found this way, now built on first use.)

Protocol, per connection: the client sends a 4-byte length with three file
descriptors (stdin, stdout, stderr) attached, then that many bytes of JSON
``{"args", "env", "cwd"}``. A monitor (a fork of this process) forks the CLI
process, answers its pid as a JSON line, waits for it and answers its
``waitpid`` status as a second line.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import io
import json
import os
import pkgutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import traceback

HEADER = struct.Struct("!I")


def preload() -> None:
    """Every module of the package (but ``__main__``, which runs the command), with the collector paused."""
    gc.disable()
    import newsletter_pipeline

    for module in pkgutil.walk_packages(newsletter_pipeline.__path__, "newsletter_pipeline."):
        if module.name != "newsletter_pipeline.__main__":
            importlib.import_module(module.name)
    # what the package imports lazily, on the paths the tests take most
    for name in ("babel.dates", "babel.numbers", "babel.messages.pofile", "PIL.Image", "requests",
                 "email_validator", "filelock", "smtplib", "http.server"):
        importlib.import_module(name)
    parse_the_fixture_stylesheets()
    gc.enable()
    gc.freeze()
    if threading.active_count() != 1:  # a fork keeps only the calling thread: none may exist here
        raise SystemExit(f"cli_forkserver: an import started a thread: {threading.enumerate()}")


FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "ai4media")


def parse_the_fixture_stylesheets() -> None:
    """Leave premailer's and ``render/inline.py``'s caches of parsed stylesheets holding the fixture's.

    Most CLI runs of the suite build an issue of the fixture project, whose
    layout writes the same ``<style>`` blocks every time; parsing them is the
    largest part of a process's first inlining (~30 ms of ~36, against ~6 once
    parsed), which every forked run paid again. Both caches are keyed by the
    stylesheet's text alone, so a run with other styles parses its own, as
    before. The email comes from a fresh ``newsletter build`` of the fixture's
    issue (its ``email.mjml``), compiled and inlined here by the pipeline's own
    functions: nothing else of that build (templates, Babel's answers, the
    environment it read) stays in this process. Tests of a first inlining run
    ``fresh=True``.
    """
    from newsletter_pipeline.render.inline import inline_css
    from newsletter_pipeline.render.mjml import compile_mjml

    issues = os.path.join(FIXTURE, "issues")
    with tempfile.TemporaryDirectory(prefix="newsletter-cli-server-warm-") as out:
        env = {name: value for name, value in os.environ.items()
               if not name.startswith(("NEWSLETTER_", "LISTMONK_", "MAILCHIMP_", "BREVO_"))}
        done = subprocess.run([sys.executable, "-m", "newsletter_pipeline", "build", issues, "--out", out],
                              cwd=FIXTURE, env=env, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise SystemExit(f"cli_forkserver: the fixture did not build:\n{done.stderr}")
        for folder in os.listdir(out):
            with open(os.path.join(out, folder, "email.mjml"), encoding="utf-8") as mjml:
                inline_css(compile_mjml(mjml.read(), "en", "ltr"))


def _recv_exactly(conn: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = conn.recv(size - len(chunks))
        if not chunk:
            raise EOFError("the client went away")
        chunks += chunk
    return bytes(chunks)


def _fresh_streams(encoding: str, errors: str, unbuffered: bool) -> None:
    """Standard streams built on fds 0-2 as the interpreter builds them at start-up (``PYTHONUNBUFFERED``
    too: then nothing waits in a buffer)."""
    def writer(fd: int, errors: str, line_buffering: bool) -> io.TextIOWrapper:
        raw = io.FileIO(fd, "w", closefd=False)
        return io.TextIOWrapper(raw if unbuffered else io.BufferedWriter(raw), encoding=encoding,
                                errors=errors, line_buffering=line_buffering, write_through=unbuffered)

    sys.stdin = sys.__stdin__ = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)),
                                                 encoding=encoding, errors=errors)
    sys.stdout = sys.__stdout__ = writer(1, errors, os.isatty(1))
    sys.stderr = sys.__stderr__ = writer(2, "backslashreplace", True)


def become_cli(request: dict, fds: list[int]) -> None:
    """In the forked child: take the request's streams, folder and environment, run the command, exit."""
    encoding = request["env"].get("PYTHONIOENCODING") or sys.stdout.encoding
    errors = sys.stdout.errors
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    _fresh_streams(encoding, errors, bool(request["env"].get("PYTHONUNBUFFERED")))
    tempfile.tempdir = None  # computed again from TMPDIR, as a new process would
    sys.path[0] = os.getcwd()  # ``python -m`` puts the working folder first
    sys.argv = ["-m", *request["args"]]
    import runpy

    try:
        runpy.run_module("newsletter_pipeline", run_name="__main__", alter_sys=True)
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    except BaseException:  # noqa: BLE001 - what the interpreter does with an uncaught exception
        traceback.print_exc()
        code = 1
    shut_down(code)


def shut_down(code: object) -> None:
    """End as the interpreter ends a process, but for tearing down the modules it shares with the server.

    In order, what a run can show of ``SystemExit``'s handling and of
    ``Py_FinalizeEx``: print a code that is no number (then exit 1), wait for
    the threads that are not daemons, run the atexit handlers
    (``weakref.finalize`` and logging's flush are among them), flush the
    standard streams (exit 120 when stdout cannot be flushed), and exit with
    the code. Tearing the modules down afterwards frees nothing the run made,
    yet touches every object the server imported (~65 MiB), which
    copy-on-write turns into copies: 32-40 ms of each run, a tenth of the
    suite (``fork`` then ``sys.exit(0)``: 37-48 ms; then ``os._exit(0)``:
    6-7 ms). A test of what only that teardown does needs ``fresh=True``.
    """
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code & 0xFF
    else:
        print(code, file=sys.stderr)
        status = 1
    threading._shutdown()  # type: ignore[attr-defined] - the interpreter's own call, first in Py_FinalizeEx
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
    except Exception:  # noqa: BLE001 - as the interpreter reports a failed flush at exit
        status = 120
    try:
        sys.stderr.flush()
    except Exception:  # noqa: BLE001
        pass
    os._exit(status)


def monitor(conn: socket.socket) -> None:
    """In a fork per connection: start the CLI process, report its pid, then its status."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the CLI waits for its own children (git, Chromium)
    header, fds, _, _ = socket.recv_fds(conn, HEADER.size, 3)
    request = json.loads(_recv_exactly(conn, HEADER.unpack(header)[0]))
    child = os.fork()
    if child == 0:
        conn.close()
        become_cli(request, fds)
    for fd in fds:
        os.close(fd)
    conn.sendall(json.dumps({"pid": child}).encode() + b"\n")
    _, status = os.waitpid(child, 0)
    conn.sendall(json.dumps({"status": status}).encode() + b"\n")
    conn.close()
    os._exit(0)


def serve(path: str) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # monitors are reaped by the kernel
    print("ready", flush=True)
    while True:
        conn, _ = listener.accept()
        if os.fork() == 0:
            try:
                listener.close()
                monitor(conn)
            except SystemExit:
                raise  # the CLI child's own exit, on its way to the interpreter's shutdown
            except BaseException:  # noqa: BLE001 - a monitor never returns into this loop
                traceback.print_exc()
                os._exit(1)
        conn.close()


if __name__ == "__main__":
    del sys.path[0]  # this script's folder (tests/) must not shadow anything the package imports
    preload()
    serve(sys.argv[1])
