"""gmail-clipping: Gmail hides everything after ~102 KB of HTML behind "View entire message"."""

from __future__ import annotations

from collections.abc import Iterator

from ...models import GMAIL_CLIP_BYTES, SIZE_WARNING_BYTES
from ..context import CheckContext
from ..findings import Finding
from . import rule


@rule("gmail-clipping")
def gmail_clipping(ctx: CheckContext) -> Iterator[Finding]:
    """Error over 102,400 UTF-8 bytes of final HTML, warning over 92,160 (room for provider rewrites)."""
    size = ctx.rendered.html_bytes
    where = ctx.loaded.location(("blocks",))
    if size > GMAIL_CLIP_BYTES:
        yield Finding("gmail-clipping", "error", where,
                      f"the HTML is {size:,} bytes; Gmail clips messages over {GMAIL_CLIP_BYTES:,} "
                      "(shorten the issue or split it)")
    elif size > SIZE_WARNING_BYTES:
        yield Finding("gmail-clipping", "warning", where,
                      f"the HTML is {size:,} bytes, close to Gmail's {GMAIL_CLIP_BYTES:,}-byte clip "
                      f"(keep it under {SIZE_WARNING_BYTES:,}: providers add tracking)")
