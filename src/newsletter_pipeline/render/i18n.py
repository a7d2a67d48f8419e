"""Jinja's i18n extension, bound to the ``i18n`` value of each render.

One environment serves every language of a batch build (it is cached per
template chain), so the gettext callables and the date filters read the
issue's ``Messages`` from the render context instead of being bound to one
language. Templates write ``_("Follow us")``,
``_("You receive this email because you subscribed to %(name)s.", name=settings.name)``,
``ngettext("Author:", "Authors:", n)``, ``day | date``, ``day | month``,
``date_range(start, end)`` and ``date_in(day, language)``.

With autoescape on, a translation or an override is text, never markup: it
is escaped here, and the extension escapes the placeholders' values.
"""

from __future__ import annotations

import datetime as dt

import jinja2
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import escape

from ..i18n import Messages, messages_for
from .dates import format_date, format_month, format_range


CALLING = "i18n1"  # bump when a filter starts or stops taking the context (see templates.environment)


def _messages(context: Context) -> Messages:
    return context["i18n"]


def _as_text(context: Context, value: str) -> str:
    return escape(value) if context.eval_ctx.autoescape else value


@pass_context
def _gettext(context: Context, message: str) -> str:
    return _as_text(context, _messages(context).gettext(message))


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return _as_text(context, _messages(context).ngettext(singular, plural, n))


@pass_context
def _date(context: Context, day: dt.date) -> str:
    return format_date(day, _messages(context).locale)


@pass_context
def _month(context: Context, day: dt.date) -> str:
    return format_month(day, _messages(context).locale)


@pass_context
def _date_range(context: Context, start: dt.date, end: dt.date | None = None) -> str:
    return format_range(start, end, _messages(context).locale)


def _date_in(day: dt.date, language: str) -> str:
    """A day as ``language`` writes it: the archive's index lists issues of several languages."""
    return format_date(day, messages_for(language).locale)


@pass_context
def _upper(context: Context, text: str) -> str:
    return _messages(context).upper(str(text))


def install_i18n(env: jinja2.Environment) -> None:
    """Add the i18n extension (newstyle: ``_("... %(name)s", name=x)``) and the localised date helpers."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(date=_date, month=_month, upper=_upper)
    env.globals.update(date_range=_date_range, date_in=_date_in)
