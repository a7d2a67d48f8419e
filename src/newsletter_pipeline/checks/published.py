"""Before a send: are the issue's local images published where the email says they are?

A local image (render/media.py) is referenced at ``<archive_url>/media/<hash>.<ext>``,
which exists only once ``newsletter archive`` output is uploaded. A list send
of an email whose pictures answer 404 cannot be taken back, so ``send``
asks each address first (HEAD, then GET when a server refuses HEAD: the
link checker's ``fetch``, with its deadline and its refusal of local
addresses) and refuses the list send while any is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .linkcheck import fetch_all, settings


@dataclass(frozen=True)
class Published:
    """One local image's address and what asking for it gave (``problem`` is None when it answered 2xx)."""

    url: str
    problem: str | None


def media_urls(archive_url: str | None, names: Iterable[str]) -> list[str]:
    """The published address of each processed file (``media/<hash>.<ext>``), in order, each once."""
    base = (archive_url or "").rstrip("/")
    return list(dict.fromkeys(f"{base}/{name}" for name in names))


def check_published(urls: list[str], environ: Mapping[str, str] | None = None) -> list[Published]:
    """Ask for every URL (``NEWSLETTER_LINKCHECK_TIMEOUT`` and ``..._ALLOW_LOCAL`` apply)."""
    timeout, allow_local = settings(dict(environ if environ is not None else os.environ))
    found = []
    for result in fetch_all(urls, timeout, allow_local=allow_local):
        if result.error:
            problem: str | None = result.error
        elif result.status is not None and 200 <= result.status < 300:
            problem = None
        else:
            problem = f"answers {result.status} {result.reason}".rstrip()
        found.append(Published(result.url, problem))
    return found
