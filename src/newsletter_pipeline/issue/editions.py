"""Editions: one issue in several languages.

``issues/2021-12-one-year-of-ai4media.el.yaml`` is the Greek edition of
``issues/2021-12-one-year-of-ai4media.yaml``: the same slug, its own
``language`` (which must be the one its file name says) and its own text. An
edition is named ``<slug>.<language>`` wherever an issue is named by its
slug (the output folder ``dist/<slug>.<language>/``, the archive page, the
preview, the send ledger), so each edition is built, checked, published and
sent on its own. The file without a language suffix is the default edition.
"""

from __future__ import annotations

import re
from pathlib import Path

SLUG = r"\d{4}-(?:0[1-9]|1[0-2])-[a-z0-9]+(?:-[a-z0-9]+)*"
LANGUAGE = r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*"
NAME = re.compile(rf"^(?P<slug>{SLUG})(?:\.(?P<language>{LANGUAGE}))?$")
# Characters of a file name before .yaml (its stem, S; ASCII, so one byte each). Every name made from it
# must stay under the 255 bytes a file system allows in one name. The longest is a send record's
# temporary file, .S--<provider>--<list>.json.<12 hex digits>.tmp (ledger.py, output.py): S and 27
# bytes, with the provider's name (mailchimp: 9) and the list's (list=<10-character audience id>: 15).
# The rest are shorter: a build's staging folder .S.new-<8> (S + 14), the archive's feed entry's
# temporary file .S.html.<12 hex digits>.tmp (S + 23), the send lock S.lock.
MAX_STEM = 200


def split_name(stem: str) -> tuple[str, str | None] | None:
    """``"2021-12-x.el"`` -> ``("2021-12-x", "el")``; ``"2021-12-x"`` -> ``("2021-12-x", None)``; else None."""
    match = NAME.match(stem)
    return (match["slug"], match["language"]) if match else None


def default_edition(path: Path) -> Path | None:
    """The default-language file an edition translates (``x.el.yaml`` -> ``x.yaml``); None for a default."""
    parts = split_name(path.stem)
    if parts is None or parts[1] is None:
        return None
    return path.with_name(parts[0] + path.suffix)

