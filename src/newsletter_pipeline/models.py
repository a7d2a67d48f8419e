"""Plain values that cross module boundaries.

``RenderedIssue`` is where rendering and sending meet: providers receive it
and never import the renderer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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

    @property
    def html_bytes(self) -> int:
        return len(self.html.encode("utf-8"))
