"""The issue format, defined once.

These models are the single source of truth: the loader validates with them,
the templates read them, and ``newsletter schema`` exports them as JSON Schema
for editors. Every text field documented as Markdown accepts **bold**,
*italics*, [links](https://...) and lists; nothing else becomes markup.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal, Union, get_args
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from ..i18n import RTL_LANGUAGES

SCHEMA_ID = "https://newsletter-pipeline.invalid/schema/issue.json"



def _check_url(value: str, *, schemes: tuple[str, ...]) -> str:
    value = value.strip()
    parts = urlsplit(value)
    if any(c.isspace() for c in value):
        raise ValueError(f"invalid URL {value!r}: it contains spaces (encode them as %20)")
    if parts.scheme not in schemes or (parts.scheme != "mailto" and not parts.netloc):
        wanted = " or ".join(f"{s}:" for s in schemes)
        raise ValueError(f"invalid URL {value!r}: use an absolute {wanted} address")
    if parts.scheme == "mailto" and "@" not in parts.path:
        raise ValueError(f"invalid URL {value!r}: a mailto: link needs an address")
    return value


def _link_url(value: str) -> str:
    return _check_url(value, schemes=("https", "http", "mailto"))


def _image_url(value: str) -> str:
    return _check_url(value, schemes=("https",))


def _email(value: str) -> str:
    value = value.strip()
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", value):
        raise ValueError(f"invalid email address {value!r}: write it as name@example.org")
    return value


def _color(value: str) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValueError(f"invalid colour {value!r}: write it as #rrggbb")
    return value.lower()


LinkUrl = Annotated[str, AfterValidator(_link_url), Field(description="Absolute https://, http:// or mailto: URL")]
ImageUrl = Annotated[str, AfterValidator(_image_url), Field(description="Absolute https:// URL of a PNG, JPEG or GIF")]
Email = Annotated[str, AfterValidator(_email)]
Color = Annotated[str, AfterValidator(_color), Field(description="#rrggbb")]
Text = Annotated[str, Field(min_length=1, description="Plain text")]
Markdown = Annotated[
    str,
    Field(min_length=1, description="Markdown: **bold**, *italics*, [links](https://...) and - lists"),
]


LanguageTag = Annotated[str, Field(pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$",
                                   description="BCP 47 tag, e.g. en, de-AT")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Image(Strict):
    src: ImageUrl
    alt: str | None = Field(None, description="What the image shows, for screen readers")
    decorative: bool = Field(False, description="true for purely decorative images: they get alt=\"\"")
    width: int = Field(600, ge=16, le=1200, description="Display width in pixels")
    href: LinkUrl | None = None

    @model_validator(mode="after")
    def _alt_required(self) -> Image:
        if self.decorative and self.alt:
            raise ValueError("a decorative image must not have alt text (remove alt, or decorative: true)")
        if not self.decorative and not (self.alt or "").strip():
            raise ValueError("alt: required (describe the image for screen readers, or set decorative: true)")
        return self


class Button(Strict):
    label: Text
    url: LinkUrl


class Link(Strict):
    title: Text
    url: LinkUrl


class Person(Strict):
    name: Text
    role: Text | None = None
    affiliation: Text | None = None


class Signature(Strict):
    names: list[Text] = Field(min_length=1)
    affiliation: Text | None = None


class Event(Strict):
    title: Text
    start: dt.date
    end: dt.date | None = None
    place: Text
    url: LinkUrl
    label: Text | None = Field(None, description='Default: "Know more", in the issue\'s language')

    @model_validator(mode="after")
    def _ordered(self) -> Event:
        if self.end and self.end < self.start:
            raise ValueError("end: the event ends before it starts (swap start and end)")
        return self


class PastEvent(Strict):
    title: Text
    subtitle: Text | None = None
    date: dt.date
    where: Text | None = Field(None, description='Default: "Online", in the issue\'s language')
    url: LinkUrl
    label: Text | None = Field(None, description='Default: "Know more", in the issue\'s language')


class _Block(Strict):
    id: str | None = Field(None, description="Optional anchor name, for links within the email")


class MastheadBlock(_Block):
    """The issue's banner: logo, title and date."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "masthead", "title": "One year of AI4Media", "subtitle": "December 2021"},
    ]})

    type: Literal["masthead"]
    title: Text
    subtitle: Text | None = None
    image: Image | None = None


class EditorialBlock(_Block):
    """The editors' letter: paragraphs and bullets, signed."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "editorial", "title": "Dear readers", "body": "A year of **work**:\n\n- 30 partners\n- 12 events",
         "signature": {"names": ["Ana", "Ben"], "affiliation": "The editors"}},
    ]})

    type: Literal["editorial"]
    title: Text | None = None
    body: Markdown
    signature: Signature | None = None


class ArticleBlock(_Block):
    """A teaser: title, authors, text, optional image and a "read more" link."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "article", "title": "Detecting deepfakes", "authors": [{"name": "Roberto Caldelli"}],
         "body": "Deepfakes **pollute** the online space.",
         "link": {"label": "Read more", "url": "https://www.ai4media.eu/deepfakes/"}},
    ]})

    type: Literal["article"]
    title: Text
    authors: list[Person] = Field(default_factory=list)
    body: Markdown
    image: Image | None = None
    link: Button | None = None


class LinkListBlock(_Block):
    """A list of links (for example publications) with a call to action."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "link_list", "title": "Publications",
         "links": [{"title": "A survey of media AI", "url": "https://www.ai4media.eu/survey.pdf"}]},
    ]})

    type: Literal["link_list"]
    title: Text
    intro: Markdown | None = None
    links: list[Link] = Field(min_length=1)
    outro: Markdown | None = None
    button: Button | None = None


class BulletsBlock(_Block):
    """A bulleted section with a button (and an optional secondary link)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "bullets", "title": "Open datasets", "items": ["Faces in the wild", "News video clips"],
         "button": {"label": "Browse the datasets", "url": "https://www.ai4media.eu/data/"}},
    ]})

    type: Literal["bullets"]
    title: Text
    intro: Markdown | None = None
    items: list[Markdown] = Field(min_length=1)
    outro: Markdown | None = None
    button: Button | None = None
    link: Button | None = None


class CtaBlock(_Block):
    """A call to action: optional text and one button."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "cta", "text": "Join the network.", "button": {"label": "Become a member", "url": "https://www.ai4media.eu/join"}},
    ]})

    type: Literal["cta"]
    text: Markdown | None = None
    button: Button


class UpcomingEventsBlock(_Block):
    """Upcoming events: date range, place, title and link."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "upcoming_events", "events": [{"title": "Media AI summit", "start": "2022-01-20",
                                                 "place": "Rome", "url": "https://www.ai4media.eu/summit"}]},
    ]})

    type: Literal["upcoming_events"]
    title: Text | None = Field(None, description='Default: "Upcoming events", in the issue\'s language')
    intro: Markdown | None = None
    events: list[Event] = Field(min_length=1)


class PastEventsBlock(_Block):
    """Past events as a grid that stacks on phones."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "past_events", "columns": 2, "events": [{"title": "Webinar on trust", "date": "2021-11-04",
                                                           "url": "https://www.ai4media.eu/webinar"}]},
    ]})

    type: Literal["past_events"]
    title: Text | None = Field(None, description='Default: "In case you\'ve missed it", in the issue\'s language')
    intro: Markdown | None = None
    columns: Literal[1, 2, 3] = 2
    events: list[PastEvent] = Field(min_length=1)


class FooterBlock(_Block):
    """Social links, contact, website, postal address and unsubscribe.

    Added automatically at the end when an issue has none, because the postal
    address and unsubscribe link are legally required.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "footer", "title": "Follow us", "text": "Questions? Write to us."},
    ]})

    type: Literal["footer"]
    title: Text | None = Field(None, description='Default: "Follow us", in the issue\'s language')
    text: Markdown | None = None


# Every subclass of _Block above is a block type, in definition order: adding a class adds the type to
# the union (so to the loader and the JSON Schema); blocks.py pairs each with its two templates.
BLOCK_TYPES: dict[str, type[_Block]] = {
    get_args(cls.model_fields["type"].annotation)[0]: cls for cls in _Block.__subclasses__()
}

Block = Annotated[Union[tuple(BLOCK_TYPES.values())], Field(discriminator="type")]  # type: ignore[valid-type]


# --- project-wide settings (newsletter.yaml), which an issue may override ---


class Colors(Strict):
    primary: Color = "#1a4a7a"
    accent: Color = "#c2185b"
    text: Color = "#222222"
    muted: Color = "#555555"
    background: Color = "#eef1f5"
    surface: Color = "#ffffff"
    link: Color = "#1a4a7a"
    button_text: Color = "#ffffff"
    dark_background: Color = "#121212"
    dark_surface: Color = "#1e1e1e"
    dark_text: Color = "#e8e8e8"
    dark_link: Color = "#8cc4ff"


class WebFont(Strict):
    name: Text
    href: ImageUrl  # same rule: absolute https


class Fonts(Strict):
    body: Text = "Arial, Helvetica, sans-serif"
    heading: Text = "Arial, Helvetica, sans-serif"
    web_font: WebFont | None = None


class Brand(Strict):
    logo: Image | None = None
    colors: Colors = Colors()
    fonts: Fonts = Fonts()
    width: int = Field(600, ge=480, le=800, description="Email width in pixels")


class Sender(Strict):
    name: Text
    email: Email
    reply_to: Email | None = None


SocialNetwork = Literal["twitter", "x", "linkedin", "facebook", "youtube", "instagram", "mastodon", "github", "web"]


class SocialLink(Strict):
    network: SocialNetwork
    url: LinkUrl
    label: Text


class Utm(Strict):
    source: Text = "newsletter"
    medium: Text = "email"
    campaign: Text | None = Field(None, description="Defaults to the issue's slug")
    domains: list[Text] = Field(default_factory=list, description="Only tag links to these hosts; empty means all")


class Settings(Strict):
    """newsletter.yaml: what every issue shares."""

    name: Text = Field(description="The newsletter's name, used as the list name and in the footer")
    brand: Brand = Brand()
    sender: Sender
    postal_address: Text = Field(description="Required by CAN-SPAM and the ePrivacy rules")
    contact_email: Email | None = None
    website: LinkUrl | None = None
    archive_url: LinkUrl | None = Field(None, description="Base URL of the web archive; enables 'view in browser'")
    social: list[SocialLink] = Field(default_factory=list)
    utm: Utm | None = None
    templates: str | None = Field(None, description="Folder of template overrides, relative to newsletter.yaml")
    strings: dict[LanguageTag, dict[str, Text]] = Field(
        default_factory=dict,
        description="Built-in words replaced per language: {de: {\"Follow us\": \"Folgen Sie uns\"}}")


class Issue(Strict):
    """One newsletter issue: issues/YYYY-MM-slug.yaml."""

    model_config = ConfigDict(title="Newsletter issue", json_schema_extra={"$id": SCHEMA_ID})

    subject: Text = Field(description="The email's subject line")
    preheader: Text | None = Field(None, description="Preview text shown after the subject in inboxes")
    date: dt.date
    language: LanguageTag = "en"
    settings: dict | None = Field(None, description="Overrides of newsletter.yaml for this issue only")
    blocks: list[Block] = Field(min_length=1)

    @property
    def direction(self) -> str:
        return "rtl" if self.language.split("-")[0].lower() in RTL_LANGUAGES else "ltr"
