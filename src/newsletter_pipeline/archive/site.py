"""The archive's files: one page per issue, the index, the Atom feed and the sitemap.

URL layout (the email footer's "view in browser" link is
``<archive_url>/<slug>/``, so the two must agree)::

    <base>/                 index.html
    <base>/<slug>/          <slug>/index.html
    <base>/feed.xml         feed.xml
    <base>/sitemap.xml      sitemap.xml

Links between pages are relative, so the folder works under any base and
when served locally; canonical, Open Graph, feed and sitemap links are
absolute under the base URL, as their readers require. A picture of the
project folder is shared (og:image, the feed's logo) at the address the site
publishes it under, ``<base>/media/<hash>.<ext>``, never its project path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..issue.editions import split_name
from ..issue.load import LoadedIssue
from ..issue.records import ArticleBlock, Image, MastheadBlock, Settings
from ..i18n import messages_for, right_to_left
from ..render.media import Picture
from ..render.web import render_web
from .cache import IssueRecord
from .editions import Edition
from .page import WebParts

INDEX = "index.html"
FEED = "feed.xml"
SITEMAP = "sitemap.xml"


def page_path(slug: str) -> str:
    """Where an issue's page is written, relative to the output folder."""
    return f"{slug}/{INDEX}"


def page_url(base_url: str, slug: str) -> str:
    """The page's public address: what the email's "view in browser" link points at."""
    return f"{base_url}{slug}/"


@dataclass(frozen=True)
class SiteEntry:
    """One issue as the index, feed and sitemap show it."""

    slug: str
    subject: str
    preheader: str
    date: str  # ISO date
    day: dt.date
    language: str
    url: str
    content: str  # HTML for the feed

    @classmethod
    def of(cls, record: IssueRecord, base_url: str, content: str) -> SiteEntry:
        return cls(record.slug, record.subject, record.preheader, record.date, record.day,
                   record.language, page_url(base_url, record.slug), content)

    @property
    def timestamp(self) -> str:
        """RFC 3339, as Atom requires; an issue has a date, not a time."""
        return f"{self.date}T00:00:00Z"


def is_edition(slug: str) -> bool:
    """``<slug>.<language>``: a translation of the issue ``<slug>``."""
    parts = split_name(slug)
    return parts is not None and parts[1] is not None


def newest_first(records: Iterable[IssueRecord]) -> list[IssueRecord]:
    """Newest first; an issue's default edition before its translations, which follow by language."""
    by_edition = sorted(records, key=lambda r: (is_edition(r.slug), r.language, r.slug))
    return sorted(by_edition, key=lambda r: (r.date, (split_name(r.slug) or (r.slug,))[0]), reverse=True)


def share_image(loaded: LoadedIssue) -> Image | None:
    """The Open Graph image: the masthead's, else the first article's, else the logo."""
    for block in loaded.issue.blocks:
        if isinstance(block, MastheadBlock) and block.image:
            return block.image
    for block in loaded.issue.blocks:
        if isinstance(block, ArticleBlock) and block.image:
            return block.image
    return loaded.settings.brand.logo


def published_image(image: Image | None, addresses: Mapping[str, str]) -> Image | None:
    """``image`` with a project file's ``src`` replaced by its published address (``addresses``: src -> URL).

    A copy, so a template override reading ``image.src`` or ``brand.logo.src`` gets the address too.
    """
    if image is None or image.src not in addresses:
        return image
    return image.model_copy(update={"src": addresses[image.src]})


def published_settings(settings: Settings, addresses: Mapping[str, str]) -> Settings:
    """``settings`` with its logo at its published address (``published_image``)."""
    logo = published_image(settings.brand.logo, addresses)
    if logo is settings.brand.logo:
        return settings
    return settings.model_copy(update={"brand": settings.brand.model_copy(update={"logo": logo})})


def published_addresses(pictures: Iterable[Picture], base_url: str) -> dict[str, str]:
    """Each local picture's src -> its absolute address in the site (``base_url`` ends in ``/``)."""
    return {p.source: f"{base_url}{p.file.name}" for p in pictures if p.file is not None and p.source}


def language_name(language: str) -> str:
    """A language as its readers write it ("Ελληνικά", "Deutsch"), for the language switcher."""
    from babel import Locale, UnknownLocaleError
    try:
        name = Locale.parse(language, sep="-").get_display_name(Locale.parse(language, sep="-")) or language
    except (UnknownLocaleError, ValueError):
        return language
    return name[:1].upper() + name[1:]


def edition_links(loaded: LoadedIssue, base_url: str, editions: tuple[Edition, ...]) -> list[dict[str, object]]:
    """Every edition of the page's issue: hreflang, absolute URL, link from this page, name, which is this one."""
    return [{"language": e.language, "url": page_url(base_url, e.slug), "href": f"../{e.slug}/",
             "name": language_name(e.language), "current": e.slug == loaded.slug, "default": e.default}
            for e in editions]


def render_page(loaded: LoadedIssue, parts: WebParts, base_url: str, dirs: tuple[Path, ...],
                editions: tuple[Edition, ...] = (), pictures: Iterable[Picture] = ()) -> str:
    """``<slug>/index.html`` from the adapted email (``dirs``: the issue's template chain).

    ``editions``: the issue's editions in this archive (none, or all of them, this one included).
    ``pictures``: the issue's local pictures (``media.prepare_pictures``), which the site publishes.
    """
    addresses = published_addresses(pictures, base_url)
    settings, issue = published_settings(loaded.settings, addresses), loaded.issue
    context = {
        "editions": edition_links(loaded, base_url, editions),
        "issue": issue, "i18n": loaded.messages, "slug": loaded.slug, "settings": settings, "brand": settings.brand,
        "colors": settings.brand.colors, "fonts": settings.brand.fonts,
        "description": issue.preheader or issue.subject,
        "image": published_image(share_image(loaded), addresses),
        "published": issue.date.isoformat(),
        "page_url": page_url(base_url, loaded.slug), "base_url": base_url,
        "feed_url": f"{base_url}{FEED}", "index_href": "../", "feed_href": f"../{FEED}",
    }
    html = {"email_head": parts.head, "email_body": parts.body, "body_attributes": parts.body_attributes}
    return render_web("page.html.j2", dirs, context, html)


def _site_context(settings: Settings, base_url: str, entries: list[SiteEntry]) -> dict[str, object]:
    # the newest issue's default edition's: a translation's language is not the archive's
    language = next((e.language for e in entries if not is_edition(e.slug)), entries[0].language if entries else "en")
    messages = messages_for(language, settings.strings)
    return {
        "i18n": messages,
        "settings": settings, "brand": settings.brand, "colors": settings.brand.colors,
        "fonts": settings.brand.fonts, "base_url": base_url, "feed_url": f"{base_url}{FEED}",
        "entries": entries, "version": __version__,
        "language": language,
        # an Arabic edition on a Greek site: its entry is laid out from the right, its "AI" where it belongs
        "direction": lambda tag: "rtl" if right_to_left(tag) else "ltr",
        "description": messages.gettext("Every issue of %(name)s, newest first.") % {"name": settings.name},
        "updated": entries[0].timestamp if entries else dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "newest": entries[0].date if entries else dt.date.today().isoformat(),
    }


def render_site_files(settings: Settings, base_url: str, records: list[IssueRecord],
                      contents: dict[str, str], dirs: tuple[Path, ...], logo: Picture | None = None) -> dict[str, str]:
    """index.html, feed.xml and sitemap.xml for ``records`` (``contents``: feed HTML by slug).

    ``logo``: newsletter.yaml's local logo as the site publishes it (``media.prepare_logo``), else None.
    """
    entries = [SiteEntry.of(r, base_url, contents.get(r.slug, "")) for r in newest_first(records)]
    context = _site_context(published_settings(settings, published_addresses([logo] if logo else [], base_url)),
                            base_url, entries)
    return {name: render_web(f"{name}.j2", dirs, context) for name in (INDEX, FEED, SITEMAP)}
