"""The local record that makes list sends happen at most once.

One JSON record per (issue slug, provider, list) under ``<project>/.newsletter/``
(git-ignored), rewritten atomically (temp file, fsync, rename) after every
step, so a process killed at any point leaves the previous or the next
version, never half of one.

The ledger is a hint, never the only guard: providers also look their campaign
up by its deterministic name/tag, and re-read its status before any call that
is not safe to repeat (see ``providers/base.py``). What it adds is speed, the
campaign id when the provider's lookup is slow or lagging, and a refusal to
send again when it says a send was triggered but the provider no longer shows
the campaign.

Steps, in the order a list send records them (``STEPS``):
``created`` (campaign id), ``content`` (content hash), ``schedule_requested`` /
``send_requested`` (written *before* the call, as intent), ``scheduled`` /
``sent`` (after the provider confirmed). Test sends record ``created`` and
``tested``.

Concurrency: ``Ledger.lock(slug, ...)`` holds an exclusive lock
(``.newsletter/locks/<slug>.lock``, filelock's ``flock``, which the kernel
releases when the process dies, even by ``kill -9``) across the whole
find -> create -> send sequence, so two runs in one checkout (two terminals,
CI plus a person) cannot both find no campaign and both create one. The second
waits (bounded), then re-reads the ledger and the provider and finds the first
one's campaign. Two *machines* do not share this lock; what protects them is
the provider-side lookup by the deterministic name/tag (README, "At most
once").

Test-only hook: ``NEWSLETTER_TEST_CRASH_AT=before:<step>`` or ``after:<step>``
kills the process with SIGKILL just before or just after ``<step>`` is written,
so tests can run the real CLI, kill it at each step, and resume. It does
nothing unless that variable is set; never set it outside tests.
"""

from __future__ import annotations

import json
import os
import re
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from .errors import OutputError, UsageError
from .output import output_error, write_atomic

LEDGER_DIR = ".newsletter"
LOCK_DIR = "locks"
STEPS = ("created", "content", "tested", "schedule_requested", "scheduled", "send_requested", "sent")
CRASH_ENV = "NEWSLETTER_TEST_CRASH_AT"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class SendInProgress(UsageError):
    """Another run of this project holds the issue's send lock for longer than we wait."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _crash_hook(when: str, step: str) -> None:
    """Test-only: die like ``kill -9`` at a named step (see module docstring)."""
    if os.environ.get(CRASH_ENV) == f"{when}:{step}":
        os.kill(os.getpid(), signal.SIGKILL)


# what to do instead of writing the project's own records (there is no --out for them)
IN_PROJECT = "run the command in a copy of the project you can write"
# what a step's record stands for, when it cannot be written: the provider's side of it is done
_DONE = {"created": "made campaign {campaign}", "content": "updated the content of campaign {campaign}",
         "tested": "sent the test email", "scheduled": "scheduled campaign {campaign}",
         "sent": "sent campaign {campaign} to the list"}


def write_json_atomic(path: Path, data: dict[str, Any], instead: str = IN_PROJECT) -> None:
    """Write ``data`` as JSON so a crash leaves the old file or the new one, never half."""
    write_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n", durable=True, instead=instead)


@dataclass
class Record:
    """The steps of one issue's list send to one provider's list."""

    path: Path
    slug: str
    provider: str
    list_ref: str
    campaign_id: str | None = None
    campaign_name: str | None = None
    content_sha: str | None = None
    send_at: str | None = None
    status: str | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)

    def has(self, step: str) -> bool:
        return any(entry["step"] == step for entry in self.steps)

    def last(self, step: str) -> dict[str, Any] | None:
        found = [entry for entry in self.steps if entry["step"] == step]
        return found[-1] if found else None

    def step(self, step: str, **detail: Any) -> None:
        """Append ``step`` (with JSON-safe ``detail``) and write the record atomically.

        Known keys in ``detail`` (campaign_id, campaign_name, content_sha,
        send_at, status) also update the record's summary fields.
        """
        if step not in STEPS:
            raise ValueError(f"unknown ledger step {step!r}")
        _crash_hook("before", step)
        for key in ("campaign_id", "campaign_name", "content_sha", "send_at", "status"):
            if key in detail and detail[key] is not None:
                setattr(self, key, str(detail[key]))
        self.steps.append({"step": step, "at": _now(), **{k: v for k, v in detail.items() if v is not None}})
        try:
            self.save()
        except OutputError as exc:
            raise OutputError(f"{exc}. {self._what_stands(step)}") from None
        _crash_hook("after", step)

    def _what_stands(self, step: str) -> str:
        """What a record that could not be written leaves at the provider: the record says "nothing
        was changed" of the file, which must not read as "nothing was sent"."""
        done = _DONE.get(step)
        if done is None:  # an intent, written before its call: the call was not made
            return f"So nothing was sent: {self.provider} is asked to send only once this record is written"
        return (f"{self.provider} has already {done.format(campaign=self.campaign_id or '')}; only this record "
                "of it is missing. Once the folder can be written, run the same command again: it looks the "
                f"campaign up at {self.provider} first, so it does not send twice")

    def save(self) -> None:
        write_json_atomic(self.path, self.as_dict())

    def as_dict(self) -> dict[str, Any]:
        return {"slug": self.slug, "provider": self.provider, "list": self.list_ref,
                "campaign_id": self.campaign_id, "campaign_name": self.campaign_name,
                "content_sha": self.content_sha, "send_at": self.send_at, "status": self.status,
                "steps": self.steps}


class Ledger:
    """Records under ``root/.newsletter/sends/``; ``record()`` reads or starts one."""

    def __init__(self, project_root: Path) -> None:
        self.project_root = Path(project_root)
        self.folder = Path(project_root) / LEDGER_DIR / "sends"

    def path_for(self, slug: str, provider: str, list_ref: str) -> Path:
        name = "--".join(_UNSAFE.sub("_", part) for part in (slug, provider, list_ref or "default"))
        return self.folder / f"{name}.json"

    def lock_path(self, slug: str) -> Path:
        return Path(self.project_root) / LEDGER_DIR / LOCK_DIR / f"{_UNSAFE.sub('_', slug)}.lock"

    @contextmanager
    def lock(self, slug: str, timeout: float, on_wait: Callable[[str], None]) -> Iterator[None]:
        """Hold the issue's exclusive send lock; wait at most ``timeout`` seconds for it.

        ``on_wait`` gets one line for the user when another run holds it. Past
        the timeout: ``SendInProgress`` (exit 2), nothing done. Read the ledger
        record only after entering, so the waiter sees what the holder wrote.
        """
        path = self.lock_path(slug)
        lock = FileLock(path, thread_local=False)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            lock.acquire(timeout=0)
        except Timeout:
            on_wait(f"another send of {slug} is running in this project (lock {path}); "
                    f"waiting up to {timeout:g} s for it to finish")
            try:
                lock.acquire(timeout=timeout)
            except Timeout:
                raise SendInProgress(
                    f"another send of {slug} has been running for over {timeout:g} s in this project "
                    f"(lock {path}); nothing was sent. Wait for it to finish and run again "
                    "(NEWSLETTER_SEND_LOCK_TIMEOUT sets how long to wait)") from None
        except OSError as exc:  # .newsletter or locks/ is a file, the lock a folder, a read-only project
            raise output_error(path, exc, IN_PROJECT) from None
        try:
            yield
        finally:
            lock.release()

    def record(self, slug: str, provider: str, list_ref: str) -> Record:
        """The record of this send, or a fresh one; ``DamagedFile`` (exit 2) when it cannot be trusted."""
        path = self.path_for(slug, provider, list_ref)
        if not os.path.lexists(path):
            return Record(path, slug, provider, list_ref)
        if not path.is_file():  # a folder or a link to nowhere: as unknown as a damaged record, not an absent one
            raise damaged(path, "the send ledger", "is no file (a folder, or a link to nothing)")
        data = read_json_object(path, "the send ledger")
        fields = {key: _optional_text(path, data, key)
                  for key in ("campaign_id", "campaign_name", "content_sha", "send_at", "status")}
        return Record(path, slug, provider, list_ref, steps=_steps(path, data), **fields)


class DamagedFile(UsageError):
    """A JSON file this tool writes (atomically) holds something else: it was edited or damaged."""


DAMAGED_HINT = ("it is written atomically, so it was edited or damaged by hand: restore it from a backup, "
                "or check the campaign at the provider, then delete the file and run again")


def damaged(path: Path, what: str, problem: str, line: int = 0, col: int = 0) -> DamagedFile:
    where = f"{path}:{line}:{col or 1}" if line else str(path)
    return DamagedFile(f"{where}: {what} {problem}; {DAMAGED_HINT}")


def read_json_object(path: Path, what: str) -> dict[str, Any]:
    """The JSON object in ``path``; ``DamagedFile`` naming the file for binary, non-JSON or non-object text."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise damaged(path, what, "is not text (it holds binary data)") from None
    except OSError as exc:
        raise damaged(path, what, f"cannot be read ({exc.strerror})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise damaged(path, what, f"is not valid JSON ({exc.msg})", exc.lineno, exc.colno) from None
    if not isinstance(data, dict):
        raise damaged(path, what, f"holds a JSON {_json_kind(data)} where an object ({{...}}) belongs")
    return data


def _json_kind(value: Any) -> str:
    kinds = ((bool, "true/false"), (int, "number"), (float, "number"), (str, "string"), (list, "list"),
             (dict, "object"))
    return next((name for kind, name in kinds if isinstance(value, kind)), "null")


def _optional_text(path: Path, data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise damaged(path, "the send ledger", f"has {key!r} as a {_json_kind(value)}, not text")
    return str(value)


def _steps(path: Path, data: dict[str, Any]) -> list[dict[str, Any]]:
    steps = data.get("steps", [])
    if not isinstance(steps, list):
        raise damaged(path, "the send ledger", f"has 'steps' as a {_json_kind(steps)}, not a list")
    for number, entry in enumerate(steps, 1):
        if not isinstance(entry, dict) or entry.get("step") not in STEPS:
            raise damaged(path, "the send ledger", f"has a step {number} that is not one of {', '.join(STEPS)}")
    return list(steps)
