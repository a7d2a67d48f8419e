"""unsubscribe and postal-address: what CAN-SPAM and the EU ePrivacy/GDPR rules require in every email.

Both parts must carry them: some readers (and spam filters) only see the
plain text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ...errors import Location, echo
from ...models import UNSUBSCRIBE_PLACEHOLDER
from ..context import DEFAULT_BACKGROUND, DEFAULT_FONT_PX, DEFAULT_TEXT, CheckContext, holding_text, text_content
from ..css import (UNREADABLE_FONT_PX, contrast_ratio, hex_color, hiding_reason, length_px, parse_color, parse_style,
                   stylesheet_declarations, without_important)
from ..findings import Finding
from . import rule

FOOTER = "blocks/footer.mjml.j2"
UNSUBSCRIBE_WORDS = re.compile(r"unsubscribe|opt[ -]out|abmelden|désinscri|désabonner|darse de baja", re.I)
INVISIBLE_CONTRAST = 1.5  # text this close to its background's colour cannot be read at all


def unsubscribe_links(ctx: CheckContext) -> list[Any]:
    """The links to the provider's unsubscribe placeholder, the only link each provider replaces."""
    return [a for a in ctx.elements("a") if (a.get("href") or "").strip().startswith(UNSUBSCRIBE_PLACEHOLDER)]


class Styles:
    """The inline styles and matching ``<style>`` rules of each element, in cascade order.

    A simplified cascade: a stylesheet rule, then the inline style, then an
    ``!important`` stylesheet rule; enough to see what the email's own CSS
    does to the footer. Built once per check (``of_check``): matching the
    selectors that can hide text takes under 1 ms on the seed.
    """

    def __init__(self, tree: Any) -> None:
        self._sheet = stylesheet_declarations(tree)

    @classmethod
    def of_check(cls, ctx: CheckContext) -> Styles:
        """The one ``Styles`` of a check's tree (the unsubscribe and postal-address rules both read it)."""
        return ctx.memo("legal.styles", lambda: cls(ctx.tree))

    def of(self, element: Any) -> dict[str, tuple[str, str]]:
        """property -> (value, where it comes from) for ``element`` alone."""
        rules = self._sheet.get(element, ())
        found: dict[str, tuple[str, str]] = {}
        for declaration in (d for d in rules if not d.important):
            found[declaration.prop] = (declaration.value, f"the <style> rule '{declaration.selector}'")
        for name, value in parse_style(element.get("style")).items():
            found[name] = (value, f"the style of a <{element.tag}>")
        for declaration in (d for d in rules if d.important):
            found[declaration.prop] = (declaration.value, f"the <style> rule '{declaration.selector}'")
        return found

    def hidden(self, element: Any) -> str | None:
        """How the email's CSS hides ``element`` (on it or an ancestor), else ``None``."""
        node = element
        while node is not None:
            found = self.of(node)
            reason = hiding_reason({name: value for name, (value, _) in found.items()})
            if reason:
                prop = reason.split(":")[0]
                return f"{reason} in {found.get(prop, ('', 'its HTML'))[1]}"
            if node.get("hidden") is not None:
                return f"the hidden attribute of a <{node.tag}>"
            node = node.getparent()
        return self._tiny_font(element) or self._invisible_colour(element)

    def _tiny_font(self, element: Any) -> str | None:
        """The font size the text inherits (the nearest declaration, relative units resolved)."""
        chain = []
        node = element
        while node is not None:
            chain.append(node)
            node = node.getparent()
        size, origin, declared = DEFAULT_FONT_PX, "", ""
        for node in reversed(chain):  # from <html> down, as a browser inherits
            found = self.of(node).get("font-size")
            computed = length_px(found[0], size) if found else None
            if computed is not None:
                size, declared, origin = computed, without_important(found[0]).strip(), found[1]
        return f"font-size:{declared} in {origin}" if size < UNREADABLE_FONT_PX else None

    def _invisible_colour(self, element: Any) -> str | None:
        text = self._nearest(element, ("color",), "color")
        ground = self._nearest(element, ("background-color", "background"), "bgcolor")
        colour = parse_color(text[0]) if text else DEFAULT_TEXT
        background = parse_color(ground[0]) if ground else DEFAULT_BACKGROUND
        if colour and background and contrast_ratio(colour, background) < INVISIBLE_CONTRAST:
            where = text[1] if text else "the default text colour"
            return (f"its text colour {hex_color(colour)} (from {where}) is the colour of its "
                    f"background {hex_color(background)}")
        return None

    def _nearest(self, element: Any, names: tuple[str, ...], attribute: str) -> tuple[str, str] | None:
        node = element
        while node is not None:
            found = self.of(node)
            for name in names:
                if name in found and parse_color(found[name][0]):
                    return found[name]
            if node.get(attribute) and parse_color(node.get(attribute)):
                return node.get(attribute), f"the {attribute} of a <{node.tag}>"
            node = node.getparent()
        return None


def text_has_unsubscribe(text: str) -> bool:
    """The plain text carries the placeholder, which each provider replaces with the reader's own link."""
    return UNSUBSCRIBE_PLACEHOLDER in text


def _collapsed(text: str) -> str:
    # the text part of an rtl issue starts lines with RLM; str.replace, because str.translate with a
    # table runs Python-level lookups per character (1.3 ms of the checks' ~12 ms per issue)
    if "\u200e" in text or "\u200f" in text:
        text = text.replace("\u200e", "").replace("\u200f", "")
    return " ".join(text.split()).lower()


def _footer(ctx: CheckContext) -> Location:
    return ctx.locate.anywhere(ctx.locate.templates.file(FOOTER) if ctx.locate.templates else None)


def _html_unsubscribe_problem(ctx: CheckContext) -> str | None:
    """Why the HTML part has no working, visible unsubscribe link, else ``None``."""
    links = unsubscribe_links(ctx)
    styles = Styles.of_check(ctx)
    hidden = [styles.hidden(link) for link in links]
    if links and None in hidden:
        return None
    if links:
        return (f"the unsubscribe link is hidden by the email's own CSS: {hidden[0]} (remove that style; "
                "CAN-SPAM and GDPR require a visible link)")
    lookalike = next((a.get("href") for a in ctx.elements("a")
                      if a.get("href") and UNSUBSCRIBE_WORDS.search(" ".join(text_content(a).split()))), None)
    if lookalike:
        return (f"the link that says unsubscribe goes to {echo(lookalike.strip())}, not to {{{{ unsubscribe_url }}}}, "
                "so providers cannot put each reader's own unsubscribe link there (link "
                "{{ unsubscribe_url }} in the footer template; CAN-SPAM and GDPR require it)")
    return ("the HTML part has no unsubscribe link (the footer template must link "
            "{{ unsubscribe_url }}; CAN-SPAM and GDPR require it)")


@rule("unsubscribe")
def unsubscribe(ctx: CheckContext) -> Iterator[Finding]:
    problem = _html_unsubscribe_problem(ctx)
    if problem:
        yield Finding("unsubscribe", "error", _footer(ctx), problem)
    if not text_has_unsubscribe(ctx.rendered.text):
        yield Finding("unsubscribe", "error", ctx.loaded.location(("blocks",)),
                      "the plain-text part has no unsubscribe link (CAN-SPAM and GDPR require it)")


def _holders(body: Any, wanted: str) -> list[Any]:
    """The innermost elements whose text contains ``wanted`` (collapsed, lower-case).

    Usually an element's own text holds it all (``<p>{{ settings.postal_address }}</p>``);
    otherwise (an address split by ``<br>`` or spans) the search reads
    every element's whole text, which costs more than the other checks.
    """
    # only elements with text of their own can hold it (``wanted`` is never empty: the schema requires it)
    own = [element for element in holding_text(body)
           if wanted in _collapsed(" ".join([element.text or "", *(child.tail or "" for child in element)]))]
    return own or _holders_of_split_text(body, wanted)


def _holders_of_split_text(element: Any, wanted: str) -> list[Any]:
    inner = [child for child in element if isinstance(child.tag, str) and wanted in _collapsed(text_content(child))]
    if not inner:
        return [element] if wanted in _collapsed(text_content(element)) else []
    return [found for child in inner for found in _holders_of_split_text(child, wanted)]


@rule("postal-address")
def postal_address(ctx: CheckContext) -> Iterator[Finding]:
    address = ctx.loaded.settings.postal_address
    wanted = _collapsed(address)
    body = ctx.tree.find("body")
    holders = _holders(body, wanted) if body is not None else []
    setting = ctx.locate.anywhere(ctx.locate.setting(("postal_address",)))
    if not holders:
        yield Finding("postal-address", "error", _footer(ctx),
                      f"the HTML part lacks the postal address {echo(address)} (the footer template must "
                      "print {{ settings.postal_address }}; CAN-SPAM requires it)")
    else:
        styles = Styles.of_check(ctx)
        hidden = [styles.hidden(element) for element in holders]
        if None not in hidden:
            yield Finding("postal-address", "error", _footer(ctx),
                          f"the postal address is hidden by the email's own CSS: {hidden[0]} (remove that "
                          "style; CAN-SPAM requires the address to be visible)")
    if wanted not in _collapsed(ctx.rendered.text):
        yield Finding("postal-address", "error", setting,
                      f"the plain-text part lacks the postal address {echo(address)} (CAN-SPAM requires it)")
