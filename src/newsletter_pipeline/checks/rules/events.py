"""event-date: an upcoming event that is over by the issue's date, or a past one still to come."""

from __future__ import annotations

from collections.abc import Iterator

from ...errors import echo
from ..context import CheckContext
from ..findings import Finding
from . import rule


@rule("event-date")
def event_dates(ctx: CheckContext) -> Iterator[Finding]:
    """Copied from last month's issue, an event keeps its place: readers are invited to what is over."""
    issue = ctx.loaded.issue
    for i, block in enumerate(issue.blocks):
        if block.type == "upcoming_events":
            for j, event in enumerate(block.events):
                last, key = (event.end, "end") if event.end else (event.start, "start")
                if last < issue.date:
                    yield Finding("event-date", "warning", ctx.loaded.location(("blocks", i, "events", j, key)),
                                  f"{echo(event.title)} is an upcoming event that ended on {last}, before the "
                                  f"issue's date ({issue.date}) (move it to past_events, or correct the date)")
        elif block.type == "past_events":
            for j, event in enumerate(block.events):
                if event.date > issue.date:
                    yield Finding("event-date", "warning", ctx.loaded.location(("blocks", i, "events", j, "date")),
                                  f"{echo(event.title)} is a past event on {event.date}, after the issue's "
                                  f"date ({issue.date}) (move it to upcoming_events, or correct the date)")
