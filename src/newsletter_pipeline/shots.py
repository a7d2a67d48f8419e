"""The screenshots ``newsletter screenshot`` takes, by name.

A module of its own, importing nothing of ours, so that the command that takes
them (``commands/screenshot``), the browser driver (``preview/chromium``) and
the CI summary that links the PNGs (``summary``) share one list without the
summary importing a command or the preview server.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shot:
    """One screenshot to take: a viewport width and a color scheme.

    ``inverted``: the light email as a forced-inversion client (Gmail's apps,
    Outlook's dark mode) repaints it, simulated by preview/static/invert.js.
    """

    name: str
    width: int
    dark: bool = False
    mobile: bool = False
    inverted: bool = False


# written as OUT/<slug>/<name>.png, in this order
SHOTS = (
    Shot("desktop-600", 600),
    Shot("mobile-375", 375, mobile=True),
    Shot("dark-600", 600, dark=True),
    Shot("inverted-600", 600, inverted=True),
)
