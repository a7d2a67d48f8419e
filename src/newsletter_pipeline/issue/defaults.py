"""The default titles and labels an issue leaves out, in the issue's language.

The schema leaves them ``None`` (a default written in English would be
English in every language); the loader fills them in here, once, so every
template and the plain-text part read a value and none repeats the default.
Each default is a message of the catalogue (``gettext`` marks it for
extraction into ``i18n/catalogues/messages.pot``).
"""

from __future__ import annotations

from typing import Any

from ..i18n import Messages
from ..i18n import marked as _
from .records import Event, FooterBlock, Issue, PastEvent, PastEventsBlock, Record, TocBlock, UpcomingEventsBlock


DEFAULTS: dict[type[Record], dict[str, str]] = {
    UpcomingEventsBlock: {"title": _("Upcoming events")},
    PastEventsBlock: {"title": _("In case you've missed it")},
    FooterBlock: {"title": _("Follow us")},
    TocBlock: {"title": _("In this issue")},
    Event: {"label": _("Know more")},
    PastEvent: {"label": _("Know more"), "where": _("Online")},
}


def _filled(model: Any, messages: Messages, social: bool = True) -> Any:
    defaults = DEFAULTS.get(type(model), {})
    if isinstance(model, FooterBlock) and not social:
        defaults = {}  # "Follow us" over no social links at all: the footer goes without a heading
    update = {name: messages.gettext(message) for name, message in defaults.items() if getattr(model, name) is None}
    events = getattr(model, "events", None)
    if isinstance(events, list):
        update["events"] = [_filled(event, messages) for event in events]
    return model.model_copy(update=update) if update else model


def with_localized_defaults(issue: Issue, messages: Messages, social: bool = True) -> Issue:
    """``issue`` with every omitted default title and label written in ``messages``' language;
    ``social``: whether the settings list social links, which the footer's default title invites to follow."""
    return issue.model_copy(update={"blocks": [_filled(block, messages, social) for block in issue.blocks]})
