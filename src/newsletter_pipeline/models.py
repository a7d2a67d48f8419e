"""Plain values that cross module boundaries.

``RenderedIssue`` is where rendering and sending meet: the send command turns
it into a ``Content``, which providers and ``message.py`` receive; neither
imports the renderer, and this module imports nothing of the package.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

# Provider-neutral unsubscribe link. Each provider replaces it with its own
# merge tag ({{ UnsubscribeURL }}, *|UNSUB|*, {{ unsubscribe }}) or, for SMTP
# and the outbox, with NEWSLETTER_LIST_UNSUBSCRIBE's https URL.
UNSUBSCRIBE_PLACEHOLDER = "https://unsubscribe.newsletter-pipeline.invalid/"

GMAIL_CLIP_BYTES = 102_400  # Gmail hides everything after ~102 KB behind "View entire message"
SIZE_WARNING_BYTES = 92_160  # 90 KiB: leave headroom for provider tracking rewrites


@dataclass(frozen=True)
class RenderedIssue:
    """The finished email of one issue, ready for checks, preview and providers."""

    slug: str
    subject: str
    preheader: str
    language: str
    html: str
    text: str
    mjml: str
    source: str = ""  # the issue file, for messages
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    # the processed local images (render/media.py's MediaFile: name "media/<hash>.<ext>", data, width, height)
    media: tuple[Any, ...] = field(default=(), compare=False)
    # what the checks need of them: render/media.py's Picture (display size, source size, location)
    pictures: tuple[Any, ...] = field(default=(), compare=False)

    @property
    def html_bytes(self) -> int:
        return len(self.html.encode("utf-8"))


@dataclass(frozen=True)
class Content:
    """The email handed to a provider; the single plain value between rendering and sending."""

    slug: str
    subject: str
    preheader: str
    html: str
    text: str
    language: str
    from_name: str
    from_email: str
    reply_to: str | None
    list_name: str

    @property
    def sha(self) -> str:
        parts = (self.subject, self.preheader, self.html, self.text, self.from_name, self.from_email,
                 self.reply_to or "")
        return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:16]

    @property
    def size(self) -> int:
        return len(self.html.encode("utf-8")) + len(self.text.encode("utf-8"))
