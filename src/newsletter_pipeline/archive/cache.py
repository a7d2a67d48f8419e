"""Incremental builds: the content hash of each issue and the manifest of the last build.

An issue's page depends on its file, newsletter.yaml, the templates of its
override chain, ``NEWSLETTER_ARCHIVE_URL``, the base URL and this package's
code. The hash covers exactly those, so it can be checked from the raw files
without parsing the issue: an unchanged issue is neither loaded nor
rendered. (It was valid when it was built, and nothing it depends on has
changed since.)

The manifest (``<out>/.archive/manifest.json``) remembers, per slug, the hash,
the template folders that went into it and what the index and feed need
(subject, date, summary). Each issue's feed content is kept beside it in
``.archive/entries/<slug>.html`` so the feed can be written without rendering
the unchanged issues again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import __version__

FORMAT = 1
STATE_DIR = ".archive"
MANIFEST = f"{STATE_DIR}/manifest.json"
ENTRIES = f"{STATE_DIR}/entries"
_PACKAGE = Path(__file__).resolve().parent.parent
OUTPUT_CODE = ("issue", "render", "archive", "models.py", "commands/archive.py")


@dataclass(frozen=True)
class IssueRecord:
    """What the site-wide pages need of one built issue."""

    slug: str
    source: str
    subject: str
    preheader: str
    date: str  # ISO date
    language: str
    key: str
    template_dirs: list[str] = field(default_factory=list)

    @property
    def day(self) -> dt.date:
        return dt.date.fromisoformat(self.date)


@dataclass
class Manifest:
    base_url: str
    issues: dict[str, IssueRecord] = field(default_factory=dict)

    def to_json(self) -> str:
        data = {"format": FORMAT, "generator": f"newsletter-pipeline {__version__}", "base_url": self.base_url,
                "issues": {slug: asdict(record) for slug, record in sorted(self.issues.items())}}
        return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def read_manifest(out: Path) -> Manifest | None:
    """The last build's manifest; ``None`` when there is none or it cannot be used (rebuild all)."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return None
        issues = {slug: IssueRecord(**record) for slug, record in data["issues"].items()}
        return Manifest(str(data["base_url"]), issues)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def entry_path(slug: str) -> str:
    return f"{ENTRIES}/{slug}.html"


class ContentHasher:
    """Hashes issues against everything else their page depends on; folder digests are cached per run."""

    def __init__(self, *, base_url: str, config: Path, archive_url_env: str | None, templates: str = "") -> None:
        common = hashlib.sha256()
        # ``templates`` is the --templates folder: naming another one changes every issue's chain
        for part in (f"format {FORMAT}", __version__, _code_digest(), base_url, archive_url_env or "",
                     _file_digest(config), templates):
            common.update(part.encode("utf-8") + b"\0")
        self._common = common.hexdigest()
        self._folders: dict[str, str] = {}

    def key(self, issue_file: Path, template_dirs: list[str], editions: str = "") -> str:
        """The content hash of one issue; ``template_dirs`` are all the folders of its chain.

        ``editions`` names the issue's sibling editions (``archive/editions.py``): its page links them.
        """
        digest = hashlib.sha256(self._common.encode("ascii"))
        digest.update(_file_digest(issue_file).encode("ascii"))
        digest.update(editions.encode("utf-8") + b"\0")
        for folder in template_dirs:
            digest.update(folder.encode("utf-8") + b"\0" + self._folder_digest(folder).encode("ascii"))
        return digest.hexdigest()

    def _folder_digest(self, folder: str) -> str:
        if folder not in self._folders:
            self._folders[folder] = _tree_digest(Path(folder))
        return self._folders[folder]


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def _tree_digest(folder: Path) -> str:
    """Every file under ``folder``, by relative path and content; "missing" when it does not exist."""
    if not folder.is_dir():
        return "missing"
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode("utf-8") + b"\0")
        digest.update(_file_digest(path).encode("ascii"))
    return digest.hexdigest()


def _code_digest() -> str:
    """The code that shapes a page: an upgrade or a local edit of it rebuilds every page.

    Only the modules on the path issue -> rendered email -> page count, so work
    on, say, the providers does not invalidate the archive.
    """
    digest = hashlib.sha256()
    for path in sorted(p for part in OUTPUT_CODE for p in ([_PACKAGE / part] if part.endswith(".py")
                                                           else (_PACKAGE / part).rglob("*.py"))):
        digest.update(_file_digest(path).encode("ascii"))
    return digest.hexdigest()
