"""unsubscribe and postal-address: what CAN-SPAM and the EU ePrivacy/GDPR rules require in every email.

Both parts must carry them: some readers (and spam filters) only see the
plain text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...errors import Location
from ...models import UNSUBSCRIBE_PLACEHOLDER
from ..context import CheckContext, text_content, visible_text
from ..findings import Finding
from . import rule

FOOTER = "blocks/footer.mjml.j2"
UNSUBSCRIBE_WORDS = re.compile(r"unsubscribe|opt[ -]out|abmelden|désinscri|désabonner|darse de baja", re.I)


def html_has_unsubscribe(ctx: CheckContext) -> bool:
    for link in ctx.elements("a"):
        href = (link.get("href") or "").strip()
        if href.startswith(UNSUBSCRIBE_PLACEHOLDER):
            return True
        if href and UNSUBSCRIBE_WORDS.search(visible_text(link)) and not ctx.computed(link).hidden:
            return True
    return False


def text_has_unsubscribe(text: str) -> bool:
    if UNSUBSCRIBE_PLACEHOLDER in text:
        return True
    return any(UNSUBSCRIBE_WORDS.search(line) and re.search(r"https?://|mailto:", line)
               for line in text.splitlines())


BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f"), None)  # the text part of an rtl issue starts lines with RLM


def _collapsed(text: str) -> str:
    return " ".join(text.translate(BIDI_MARKS).split()).lower()


def _footer(ctx: CheckContext) -> Location:
    return ctx.locate.anywhere(ctx.locate.templates.file(FOOTER) if ctx.locate.templates else None)


@rule("unsubscribe")
def unsubscribe(ctx: CheckContext) -> Iterator[Finding]:
    if not html_has_unsubscribe(ctx):
        yield Finding("unsubscribe", "error", _footer(ctx),
                      "the HTML part has no unsubscribe link (the footer template must link "
                      "{{ unsubscribe_url }}; CAN-SPAM and GDPR require it)")
    if not text_has_unsubscribe(ctx.rendered.text):
        yield Finding("unsubscribe", "error", ctx.loaded.location(("blocks",)),
                      "the plain-text part has no unsubscribe link (CAN-SPAM and GDPR require it)")


@rule("postal-address")
def postal_address(ctx: CheckContext) -> Iterator[Finding]:
    address = ctx.loaded.settings.postal_address
    wanted = _collapsed(address)
    body = ctx.tree.find("body")
    html_text = _collapsed(text_content(body)) if body is not None else ""
    setting = ctx.locate.anywhere(ctx.locate.setting(("postal_address",)))
    if wanted not in html_text:
        yield Finding("postal-address", "error", _footer(ctx),
                      f"the HTML part lacks the postal address '{address}' (the footer template must "
                      "print {{ settings.postal_address }}; CAN-SPAM requires it)")
    if wanted not in _collapsed(ctx.rendered.text):
        yield Finding("postal-address", "error", setting,
                      f"the plain-text part lacks the postal address '{address}' (CAN-SPAM requires it)")
