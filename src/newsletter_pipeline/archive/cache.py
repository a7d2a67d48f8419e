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
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from .. import __version__
from ..issue.load import SLUG_PATTERN, display_path
from ..reading import Refused, open_regular

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
    # the local images it shows, relative to the project (render/media.py): their content is part of ``key``
    pictures: list[str] = field(default_factory=list)

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


def read_manifest(out: Path, expected_chains: Callable[[list[str]], bool] = lambda dirs: True
                  ) -> tuple[Manifest | None, str | None]:
    """The last build's manifest, and a warning when one exists but cannot be trusted.

    ``None`` means rebuild every page. The manifest is read from disk, so it is
    untrusted input: its slugs become paths that are read and deleted, so each
    must match the slug pattern and stay inside ``out``, and each record must
    have exactly the shape we write (``expected_chains`` vets its template
    folders). Anything else, down to a file that is not JSON, is ignored with a
    warning, never a traceback. A manifest of another format (an older or newer
    version) is ignored silently: rebuilding is the right answer to it.
    """
    path = out / MANIFEST
    if not path.exists() and not path.is_symlink():
        return None, None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:  # RecursionError: JSON nested thousands deep
        return None, _ignored(path, f"it cannot be read as JSON ({type(exc).__name__})")
    if isinstance(data, dict) and data.get("format") != FORMAT and "format" in data:
        return None, None
    try:
        return _manifest_of(data, out, expected_chains), None
    except ManifestRejected as exc:
        return None, _ignored(path, str(exc))


class ManifestRejected(ValueError):
    """The manifest is not what this program writes."""


_RECORD_FIELDS = {f.name for f in fields(IssueRecord)}
_KEY = re.compile(r"^[0-9a-f]{64}$")


def _ignored(path: Path, reason: str) -> str:
    return (f"warning: {display_path(path)}: {reason}; ignoring it and rebuilding every page "
            "(nothing outside the site folder is touched)")


def _manifest_of(data: Any, out: Path, expected_chains: Callable[[list[str]], bool]) -> Manifest:
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("base_url"), str) \
            or not isinstance(data.get("issues"), dict):
        raise ManifestRejected("it is not an archive manifest (expected base_url and issues)")
    issues = {}
    for slug, record in data["issues"].items():
        issues[slug] = _record_of(slug, record, out, expected_chains)
    return Manifest(data["base_url"], issues)


def _record_of(slug: str, record: Any, out: Path, expected_chains: Callable[[list[str]], bool]) -> IssueRecord:
    """One issue's record, or ``ManifestRejected`` naming what is wrong with it."""
    if not SLUG_PATTERN.match(slug) or not all(contained(out, p) for p in (slug, entry_path(slug))):
        raise ManifestRejected(f"it names {slug!r}, which is not an issue slug (like 2022-01-title)")
    # a manifest written before local images has no "pictures": its issues had none
    if not isinstance(record, dict) or set(record) not in (_RECORD_FIELDS, _RECORD_FIELDS - {"pictures"}):
        raise ManifestRejected(f"the record of {slug} does not have the expected fields")
    texts = [record[name] for name in _RECORD_FIELDS - {"template_dirs", "pictures"}]
    dirs, pictures = record["template_dirs"], record.get("pictures", [])
    if not all(isinstance(value, str) for value in texts) or not all(
            isinstance(items, list) and all(isinstance(item, str) for item in items) for items in (dirs, pictures)):
        raise ManifestRejected(f"the record of {slug} has values of the wrong type")
    if any(Path(p).is_absolute() or ".." in Path(p).parts for p in pictures):
        raise ManifestRejected(f"the record of {slug} names a picture outside the project")
    if record["slug"] != slug or not _KEY.match(record["key"]) or not _iso_date(record["date"]):
        raise ManifestRejected(f"the record of {slug} has a wrong slug, key or date")
    if not expected_chains(dirs):
        raise ManifestRejected(f"the record of {slug} names template folders this project does not use")
    return IssueRecord(**record)


def _iso_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def contained(out: Path, relative: str) -> bool:
    """Whether ``out/relative`` stays inside ``out`` once ``..`` and links are resolved.

    The last component itself may be a link (removing or replacing a link
    touches only the link); every folder above it must resolve inside ``out``.
    """
    if Path(relative).is_absolute() or not relative:
        return False
    root = out.resolve()
    target = out / relative
    parent = target.parent.resolve()
    return (parent == root or parent.is_relative_to(root)) and target.name not in ("", ".", "..")


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
        self._root = config.parent
        self._folders: dict[str, str] = {}

    def key(self, issue_file: Path, template_dirs: list[str], editions: str = "",
            pictures: list[str] | None = None) -> str:
        """The content hash of one issue; ``template_dirs`` are all the folders of its chain.

        ``editions`` names the issue's sibling editions (``archive/editions.py``): its page links them.
        ``pictures`` are its local images, relative to the project: a new picture under the same name
        must rebuild the page, whose address for it changes.
        """
        digest = hashlib.sha256(self._common.encode("ascii"))
        digest.update(_file_digest(issue_file).encode("ascii"))
        digest.update(editions.encode("utf-8") + b"\0")
        for picture in pictures or ():
            digest.update(picture.encode("utf-8") + b"\0"
                          + _file_digest(self._root / picture, inside=self._root).encode("ascii"))
        for folder in template_dirs:
            digest.update(folder.encode("utf-8") + b"\0" + self._folder_digest(folder).encode("ascii"))
        return digest.hexdigest()

    def _folder_digest(self, folder: str) -> str:
        if folder not in self._folders:
            self._folders[folder] = _tree_digest(Path(folder))
        return self._folders[folder]


def _file_digest(path: Path, inside: Path | None = None) -> str:
    """The SHA-256 of the regular file ``path``; "missing" for anything else (``reading.open_regular``).

    A pipe in a picture's or an issue's place hung the archive here, before
    the build that names the problem; a link out of the project (``inside``)
    is not opened. Either changes the key, so the issue is built and refused.
    """
    try:
        with open_regular(path, inside=inside) as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except (Refused, OSError):
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
