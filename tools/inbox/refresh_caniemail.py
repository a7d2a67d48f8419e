"""Refresh src/newsletter_pipeline/checks/rules/caniemail.json from the npm package ``caniemail``.

    npm ci --prefix tools/inbox && python tools/inbox/refresh_caniemail.py          # rewrite the table
    python tools/inbox/refresh_caniemail.py --check                                   # exit 1 when stale

The table stays curated: which features, their titles, notes and fixes are
ours. What comes from the package is each feature's support per client (the
newest version caniemail tested, on the platform named below), its test date,
and the data's own update date, which becomes ``retrieved``. A feature that
caniemail does not list (``html-script``) keeps its hand-written values.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PACKAGE = HERE / "node_modules" / "caniemail"
TABLE = HERE.parent.parent / "src" / "newsletter_pipeline" / "checks" / "rules" / "caniemail.json"

# our client id -> (caniemail family, platform)
CLIENTS = {
    "gmail": ("gmail", "desktop-webmail"),
    "outlook-windows": ("outlook", "windows"),
    "apple-mail": ("apple-mail", "macos"),
    "yahoo": ("yahoo", "desktop-webmail"),
}


def newest(stats: dict[str, Any], family: str, platform: str) -> str | None:
    """The support letter (y, a, n) of the newest version tested; notes such as "a #2" dropped."""
    versions = stats.get(family, {}).get(platform) or {}
    if not versions:
        return None
    value = list(versions.values())[-1]  # caniemail lists versions oldest first
    return value.split()[0][0]


def refreshed(table: dict[str, Any], data: dict[str, Any], version: str) -> dict[str, Any]:
    """``table`` with support, test dates, source and date taken from caniemail's ``data``."""
    features = {item["slug"]: item for item in data["data"]}
    out = {**table, "features": {}}
    out["source"] = (f"npm package caniemail {version} (https://www.caniemail.com/ data, MIT licence), "
                     "via tools/inbox/refresh_caniemail.py")
    out["retrieved"] = data["last_update_date"][:10]
    for slug, info in table["features"].items():
        item = features.get(slug)
        if item is None:
            out["features"][slug] = info
            continue
        support = {client: newest(item["stats"], *where) or info["support"].get(client, "u")
                   for client, where in CLIENTS.items()}
        out["features"][slug] = {**info, "tested": item.get("last_test_date"), "support": support}
    return out


def main(argv: list[str]) -> int:
    data = json.loads((PACKAGE / "data" / "caniemail.json").read_text(encoding="utf-8"))
    version = json.loads((PACKAGE / "package.json").read_text(encoding="utf-8"))["version"]
    current = json.loads(TABLE.read_text(encoding="utf-8"))
    new = refreshed(current, data, version)
    text = json.dumps(new, indent=2, ensure_ascii=False) + "\n"
    if "--check" in argv:
        if text != TABLE.read_text(encoding="utf-8"):
            print(f"{TABLE} is older than caniemail {version} ({new['retrieved']}): "
                  "run python tools/inbox/refresh_caniemail.py", file=sys.stderr)
            return 1
        return 0
    TABLE.write_text(text, encoding="utf-8")
    print(f"{TABLE}: caniemail {version}, data of {new['retrieved']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
