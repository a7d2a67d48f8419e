"""The issue format, defined once.

These models are the single source of truth: ``newsletter schema`` exports
them as JSON Schema for editors, and the loader's errors are theirs. A valid
file is read without importing pydantic: ``spec_gen.py`` writes these models
as plain data (``spec.py``), which ``records.py`` checks with the same value
checks (``values.py``) and turns into the objects the templates read; after a
change here, regenerate ``spec.py`` (test_records.py fails until then).

Every text field documented as Markdown accepts **bold**, *italics*,
[links](https://...), `code`, code blocks, > quotes, ### headings and lists
(render/markdown.py); nothing else becomes markup.

Each block type is a subclass of ``_Block`` with a docstring (the schema's
description), a JSON Schema example and ``also_called`` synonyms; with its two
templates it is one unit (see ``blocks.py``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal, Union, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from . import values
from .behaviour import BlockBehaviour, IssueBehaviour, UtmBehaviour
from .plain_words import LANGUAGE_PATTERN
from .values import ValueProblem

SCHEMA_ID = "https://newsletter-pipeline.invalid/schema/issue.json"


_new_list, _new_dict, _both_parts = values.new_list, values.new_dict, values.both_parts


def _pydantic(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``check`` (values.py) raising pydantic's error type, with the same kind, message and context."""

    @functools.wraps(check)
    def validate(value: Any) -> Any:
        try:
            return check(value)
        except ValueProblem as problem:
            raise PydanticCustomError(problem.kind, problem.message, problem.context) from None

    return validate


def _model_check(check: Callable[[Any], None]) -> Any:
    """A model validator (mode "after") running ``check`` (values.py) on the model; records.py runs it too."""
    raising = _pydantic(check)

    def validate(self: Any) -> Any:
        raising(self)
        return self

    validate.check = check.__name__  # type: ignore[attr-defined] - what spec_gen writes into the spec
    return model_validator(mode="after")(validate)


_single_line, _multi_line = _pydantic(values.single_line), _pydantic(values.multi_line)
_link_url, _image_url, _email = _pydantic(values.link_url), _pydantic(values.image_url), _pydantic(values.email)
_color, _font_list, _font_family = _pydantic(values.color), _pydantic(values.font_list), _pydantic(values.font_family)
_css_url, _anchor_name = _pydantic(values.css_url), _pydantic(values.anchor_name)
COLOR_PATTERN, FONT_FAMILY_PATTERN = values.COLOR_PATTERN, values.FONT_FAMILY_PATTERN
FONT_LIST_PATTERN, CSS_URL_PATTERN = values.FONT_LIST_PATTERN, values.CSS_URL_PATTERN


# The same rules for editors (JSON Schema, ECMA-262 regex); the validators above give the messages.
SINGLE_LINE_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202d\\u202e]*$"
MULTI_LINE_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u2028\\u2029]*$"
def _pattern(regex: str) -> dict[str, str]:
    return {"pattern": regex}


SingleLine = Annotated[str, AfterValidator(_single_line), Field(json_schema_extra=_pattern(SINGLE_LINE_PATTERN))]
MultiLine = Annotated[str, AfterValidator(_multi_line), Field(json_schema_extra=_pattern(MULTI_LINE_PATTERN))]
LinkUrl = Annotated[SingleLine, AfterValidator(_link_url),
                    Field(description="Absolute https://, http:// or mailto: URL")]
ImageUrl = Annotated[SingleLine, AfterValidator(_image_url),
                     Field(description="Absolute https:// URL of a PNG, JPEG or GIF, or a picture in the "
                                       "project folder such as images/photo.jpg (published with the archive)")]
Email = Annotated[SingleLine, AfterValidator(_email)]
AnchorName = Annotated[SingleLine, AfterValidator(_anchor_name), Field(description="Letters, digits, - and _")]
Color = Annotated[SingleLine, AfterValidator(_color),
                  Field(description="#rrggbb (or #rgb)", json_schema_extra=_pattern(COLOR_PATTERN))]
# min_length before the character check, so an empty value reads "fill it in" (string_too_short)
Text = Annotated[str, Field(min_length=1, description="Plain text, one line",
                            json_schema_extra=_pattern(SINGLE_LINE_PATTERN)), AfterValidator(_single_line)]
FontList = Annotated[SingleLine, AfterValidator(_font_list),
                     Field(description="Comma-separated font names, e.g. Helvetica, Arial, sans-serif",
                           json_schema_extra=_pattern(FONT_LIST_PATTERN))]
FontFamily = Annotated[SingleLine, AfterValidator(_font_family),
                       Field(description="One font name, e.g. Open Sans", json_schema_extra=_pattern(FONT_FAMILY_PATTERN))]
CssUrl = Annotated[SingleLine, AfterValidator(_css_url),
                   Field(description="Absolute https:// URL of a stylesheet",
                         json_schema_extra=_pattern(CSS_URL_PATTERN))]
Lines = Annotated[str, Field(min_length=1, description="Plain text; may span lines",
                             json_schema_extra=_pattern(MULTI_LINE_PATTERN)), AfterValidator(_multi_line)]
Markdown = Annotated[
    str,
    Field(min_length=1, description="Markdown: **bold**, *italics*, [links](https://...), `code`, - lists, "
                                    "1. numbered lists, > quotes, ### headings and ``` code blocks",
          json_schema_extra=_pattern(MULTI_LINE_PATTERN)),
    AfterValidator(_multi_line),
]


# A number as digits, never a yes/no (which pydantic would take as 1 or 0), a decimal (4.0, .nan, .inf) or
# text ("40"): records.py accepts only a plain int, and both paths must agree. YAML's other ways to
# write a whole number (0x20, 4_0, 017) reach the schema as text (located_yaml), so they are refused too.
WholeNumber = Annotated[int, Field(strict=True)]


LanguageTag = Annotated[str, Field(pattern=LANGUAGE_PATTERN,  # plain_words words a mismatch
                                   description="BCP 47 tag, e.g. en, de-AT")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Image(Strict):
    src: ImageUrl
    alt: SingleLine | None = Field(None, description="What the image shows, for screen readers")
    decorative: bool = Field(False, description="true for purely decorative images: they get alt=\"\"")
    width: WholeNumber = Field(600, ge=16, le=1200, description="Display width in pixels")
    href: LinkUrl | None = None

    _alt_required = _model_check(values.alt_required)


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

    _ordered = _model_check(values.event_order)


class Sponsor(Strict):
    name: Text = Field(description="The partner's or funder's name; the logo's alt text")
    logo: ImageUrl = Field(description="The logo: an https: URL of a PNG, JPEG or GIF, or a file such as images/logo.png")
    url: LinkUrl
    width: WholeNumber = Field(120, ge=16, le=300, description="The logo's width in pixels")


class PastEvent(Strict):
    title: Text
    subtitle: Text | None = None
    date: dt.date
    where: Text | None = Field(None, description='Default: "Online", in the issue\'s language')
    url: LinkUrl
    label: Text | None = Field(None, description='Default: "Know more", in the issue\'s language')


class _Block(BlockBehaviour, Strict):
    # other names people give this block: "did you mean" suggests the type for them (events -> upcoming_events)
    also_called: ClassVar[tuple[str, ...]] = ()

    id: AnchorName | None = Field(None, description="Optional anchor name, for links within the email (#id) "
                                  "and the table of contents")


class MastheadBlock(_Block):
    """The issue's banner: logo, title and date."""

    also_called = ("header", "banner", "hero", "title")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "masthead", "title": "One year of AI4Media", "subtitle": "December 2021"},
    ]})

    type: Literal["masthead"]
    title: Text
    subtitle: Text | None = None
    image: Image | None = None


class EditorialBlock(_Block):
    """The editors' letter: paragraphs and bullets, signed."""

    also_called = ("letter", "intro", "introduction", "welcome", "editor")
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

    also_called = ("story", "news", "post", "teaser", "item")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "article", "title": "Detecting deepfakes", "authors": [{"name": "Roberto Caldelli"}],
         "body": "Deepfakes **pollute** the online space.",
         "link": {"label": "Read more", "url": "https://www.ai4media.eu/deepfakes/"}},
    ]})

    type: Literal["article"]
    title: Text
    authors: list[Person] = Field(default_factory=_new_list)
    body: Markdown
    image: Image | None = None
    link: Button | None = None


class LinkListBlock(_Block):
    """A list of links (for example publications) with a call to action."""

    also_called = ("links", "publications", "reading_list", "papers")
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

    also_called = ("list", "items", "bullet_list")
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

    also_called = ("button", "call_to_action", "action")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "cta", "text": "Join the network.", "button": {"label": "Become a member", "url": "https://www.ai4media.eu/join"}},
    ]})

    type: Literal["cta"]
    text: Markdown | None = None
    button: Button


class UpcomingEventsBlock(_Block):
    """Upcoming events: date range, place, title and link."""

    also_called = ("events", "calendar", "agenda", "event")
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

    also_called = ("recap", "past", "missed")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "past_events", "columns": 2, "events": [{"title": "Webinar on trust", "date": "2021-11-04",
                                                           "url": "https://www.ai4media.eu/webinar"}]},
    ]})

    type: Literal["past_events"]
    title: Text | None = Field(None, description='Default: "In case you\'ve missed it", in the issue\'s language')
    intro: Markdown | None = None
    columns: Literal[1, 2, 3] = 2
    events: list[PastEvent] = Field(min_length=1)


class HeadingBlock(_Block):
    """A section heading that groups the blocks after it: their titles go one level lower."""

    also_called = ("section", "subheading", "sub_heading", "subsection", "chapter", "h2", "h3", "title_block")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "heading", "title": "Community news", "intro": "What happened across the project this month."},
    ]})

    type: Literal["heading"]
    title: Text
    intro: Markdown | None = None
    level: Literal[1, 2] = Field(1, description="1 for a section, 2 for a sub-section inside one")


class QuoteBlock(_Block):
    """A pull quote: the words, who said them, and where they were said."""

    also_called = ("blockquote", "pullquote", "pull_quote", "citation", "testimonial", "quotation", "cite")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "quote", "text": "Open source is a conversation, not a product.", "attribution": "Ada Lovelace, maintainer",
         "link": "https://www.ai4media.eu/interviews/ada/"},
    ]})

    type: Literal["quote"]
    text: Markdown
    attribution: Text | None = Field(None, description="Who said it, e.g. 'Ada Lovelace, maintainer'")
    link: LinkUrl | None = Field(None, description="Where it was said: makes the attribution a link")


class ImageBlock(_Block):
    """A picture on its own, full width unless a width is given, with an optional caption."""

    also_called = ("photo", "picture", "img", "figure", "illustration", "photograph", "banner_image")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "image", "src": "https://www.ai4media.eu/img/team-photo.jpg",
         "alt": "The project team on the steps of the Thessaloniki venue", "caption": "The team at the final meeting."},
    ]})

    type: Literal["image"]
    src: ImageUrl
    alt: SingleLine | None = Field(None, description="What the image shows, for screen readers")
    decorative: bool = Field(False, description="true for purely decorative images: they get alt=\"\"")
    caption: Markdown | None = None
    href: LinkUrl | None = Field(None, description="Makes the image a link")
    width: WholeNumber | None = Field(None, ge=16, le=1200, description="Display width in pixels for an inset image; "
                              "full width without it")

    _alt_required = _model_check(values.alt_required)


class FeatureBlock(_Block):
    """Text beside an image; the two stack on phones, image first."""

    also_called = ("media", "side_by_side", "spotlight", "highlight", "media_object", "showcase")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "feature", "title": "Meet the AIDA academy",
         "image": {"src": "https://www.ai4media.eu/img/aida.jpg", "alt": "Students at a lecture", "width": 240},
         "body": "Courses from **30 universities**, open to every member.",
         "link": {"label": "Browse the AIDA courses", "url": "https://www.ai4media.eu/aida/"}, "image_position": "left"},
    ]})

    type: Literal["feature"]
    title: Text
    image: Image
    body: Markdown
    link: Button | None = None
    # left and right are the sides the reader sees in either direction; unset, the image comes first, where
    # lines start (as it does on phones, where the two stack): an Arabic feature's image is on the right
    image_position: Literal["left", "right"] | None = Field(
        None, description="Which side the image is on, on wide screens; default: the side lines start "
                          "(left, or right in a right-to-left language)")


class SponsorsBlock(_Block):
    """A row of partner or funder logos, each a link, wrapping on phones."""

    also_called = ("partners", "logos", "funders", "supporters", "sponsor", "backers", "members")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "sponsors", "title": "Our partners",
         "sponsors": [{"name": "CERTH", "logo": "https://www.ai4media.eu/img/certh.png", "url": "https://www.certh.gr/"}]},
    ]})

    type: Literal["sponsors"]
    title: Text | None = None
    intro: Markdown | None = None
    sponsors: list[Sponsor] = Field(min_length=1)


class TocBlock(_Block):
    """A table of contents: the issue's section headings (or, without any, its titled blocks)."""

    also_called = ("contents", "table_of_contents", "index", "in_this_issue", "overview", "summary")
    model_config = ConfigDict(json_schema_extra={"examples": [{"type": "toc", "title": "In this issue"}]})

    type: Literal["toc"]
    title: Text | None = Field(None, description="Defaults to 'In this issue' in the issue's language")


class DividerBlock(_Block):
    """A thin horizontal line between blocks."""

    also_called = ("hr", "rule", "separator", "line", "horizontal_rule")
    model_config = ConfigDict(json_schema_extra={"examples": [{"type": "divider"}]})

    type: Literal["divider"]


class SpacerBlock(_Block):
    """Empty space between blocks."""

    also_called = ("space", "gap", "blank", "padding", "whitespace")
    model_config = ConfigDict(json_schema_extra={"examples": [{"type": "spacer", "height": 32}]})

    type: Literal["spacer"]
    height: WholeNumber = Field(24, ge=4, le=120, description="Height in pixels")


class FooterBlock(_Block):
    """Social links, contact, website, postal address and unsubscribe.

    Added automatically at the end when an issue has none, because the postal
    address and unsubscribe link are legally required.
    """

    also_called = ("signoff", "contact")
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
    name: FontFamily
    href: CssUrl


class Fonts(Strict):
    body: FontList = "Arial, Helvetica, sans-serif"
    heading: FontList = "Arial, Helvetica, sans-serif"
    web_font: WebFont | None = None


class Logo(Image):
    """The brand's logo: an image, plus the variant shown on dark backgrounds."""

    dark_src: ImageUrl | None = Field(None, description="The logo for dark mode (light on transparent): shown "
                                      "instead where the mail program is in dark mode (Apple Mail, Outlook.com)")


class Brand(Strict):
    logo: Logo | None = None
    colors: Colors = Colors()
    fonts: Fonts = Fonts()
    width: WholeNumber = Field(600, ge=480, le=800, description="Email width in pixels")


class Sender(Strict):
    name: Text
    email: Email
    reply_to: Email | None = None


SocialNetwork = Literal["twitter", "x", "linkedin", "facebook", "youtube", "instagram", "mastodon", "bluesky",
                        "github", "web", "rss", "email"]


class SocialLink(Strict):
    network: SocialNetwork
    url: LinkUrl
    label: Text
    icon: ImageUrl | None = Field(None, description="Your own icon (a square PNG, 48 px or more); networks without a "
                                  "built-in icon (mastodon, bluesky, rss, email) show a generic link icon without it")


class Funding(Strict):
    """A funder's emblem and statement, shown in every footer (EU-funded projects must show both)."""

    text: Markdown = Field(description="The funding statement or disclaimer")
    logo: Image | None = Field(None, description="The funder's emblem, e.g. the EU flag")


class Utm(UtmBehaviour, Strict):
    source: Text = "newsletter"
    medium: Text = "email"
    campaign: Text | None = Field(None, description="Defaults to the issue's slug")
    domains: list[Text] = Field(default_factory=_new_list, description="Only tag links to these hosts; empty means all")
    parts: list[Literal["html", "text"]] = Field(
        default_factory=_both_parts,
        description="Which parts' links are tagged: the HTML part, the plain-text part, or both (the default)")


class ImageWeight(Strict):
    """Limits on the bytes of an issue's local images together (the image-weight check)."""

    warn_kb: WholeNumber = Field(1000, ge=1, description="Warn when the local images weigh more than this, in kB "
                         "(1 kB = 1,000 bytes); readers on mobile data wait for every one")
    error_kb: WholeNumber = Field(5000, ge=1, description="Refuse to build when they weigh more than this, in kB")

    _ordered = _model_check(values.weight_order)


class Settings(Strict):
    """newsletter.yaml: what every issue shares."""

    name: Text = Field(description="The newsletter's name, used as the list name and in the footer")
    brand: Brand = Brand()
    sender: Sender
    postal_address: Lines = Field(description="Required by CAN-SPAM and the ePrivacy rules")
    contact_email: Email | None = None
    website: LinkUrl | None = None
    archive_url: LinkUrl | None = Field(None, description="Base URL of the web archive; enables 'view in browser'")
    social: list[SocialLink] = Field(default_factory=_new_list)
    funding: Funding | None = Field(None, description="A funding statement and emblem for the footer")
    utm: Utm | None = None
    image_weight: ImageWeight = Field(ImageWeight(), description="Limits on the weight of the local images")
    templates: SingleLine | None = Field(None, description="Folder of template overrides, relative to newsletter.yaml")
    strings: dict[LanguageTag, dict[str, Text]] = Field(
        default_factory=_new_dict,
        description="Built-in words replaced per language: {de: {\"Follow us\": \"Folgen Sie uns\"}}")


class Issue(IssueBehaviour, Strict):
    """One newsletter issue: issues/YYYY-MM-slug.yaml."""

    model_config = ConfigDict(title="Newsletter issue", json_schema_extra={"$id": SCHEMA_ID})

    subject: Text = Field(description="The email's subject line")
    preheader: Text | None = Field(None, description="Preview text shown after the subject in inboxes")
    date: dt.date
    language: LanguageTag = "en"
    settings: dict | None = Field(None, description="Overrides of newsletter.yaml for this issue only")
    blocks: list[Block] = Field(min_length=1)

    _unique_ids = _model_check(values.unique_ids)
