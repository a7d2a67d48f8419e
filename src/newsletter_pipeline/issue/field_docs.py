"""What each field of the issue format and of newsletter.yaml is for, with an example.

The editor's hover text and completion (``newsletter schema``, ``schema/*.json``)
read these. A field's own ``Field(description=...)`` in ``schema.py`` is kept
when it says more than its type ("Plain text, one line" says nothing); every
field gets an example. ``tests/test_schema_docs.py`` fails when a field of the
schema has no description or no example, or when an example does not validate.

Keys are ``Model.field``; ``*.id`` and ``*.type`` hold for every block.
"""

from __future__ import annotations

from typing import Any

MARKDOWN = "Markdown: **bold**, *italics*, [links](https://...), - lists"

DOCS: dict[str, tuple[str | None, Any]] = {
    # --- the issue ---
    "Issue.subject": (None, "Our November news: a new lab and two awards"),
    "Issue.preheader": ("The line inboxes show after the subject: say what the subject does not (40-140 characters)",
                        "The lab opens, two awards, and the winter school programme"),
    "Issue.date": ("The issue's date, written YYYY-MM-DD; the file name starts with its year and month",
                   "2026-11-28"),
    "Issue.language": ("The issue's language as a BCP 47 tag: the words the tool writes and the date follow it",
                       "en"),
    "Issue.settings": (None, {"brand": {"colors": {"primary": "#0b3b60"}}}),
    "Issue.blocks": ("The email's content, top to bottom: a list of blocks, each with a type", [
        {"type": "masthead", "title": "Our November news"}]),
    "*.id": (None, "awards"),
    "*.type": ("The block's type: decides its layout and its other fields", None),  # example: the type itself
    # --- blocks ---
    "MastheadBlock.title": ("The issue's title at the top of the email (its only h1)", "Our November news"),
    "MastheadBlock.subtitle": ("A line under the title, e.g. the month", "Newsletter · November 2026"),
    "MastheadBlock.image": ("A banner picture under the title", {"src": "https://www.example.eu/banner.jpg",
                                                                  "alt": "Our team at the lab"}),
    "EditorialBlock.title": ("The editorial's heading; none for a letter without one", "A word from the director"),
    "EditorialBlock.body": (f"The letter. {MARKDOWN}", "Dear readers,\n\nthis year **we grew**."),
    "EditorialBlock.signature": ("Who signs the letter", {"names": ["Ada Example"], "affiliation": "Example Lab"}),
    "ArticleBlock.title": ("The article's heading", "The new lab opens"),
    "ArticleBlock.authors": ("Who wrote it, each with a name and optionally a role and an affiliation",
                             [{"name": "Ada Example", "role": "Director"}]),
    "ArticleBlock.body": (f"The article's text. {MARKDOWN}", "The lab opened its doors on **1 October**."),
    "ArticleBlock.image": ("A picture for the article", {"src": "https://www.example.eu/lab.jpg",
                                                          "alt": "The new lab building"}),
    "ArticleBlock.link": ("A button to the full article", {"label": "Read about the lab",
                                                           "url": "https://www.example.eu/news/lab/"}),
    "LinkListBlock.title": ("The list's heading", "Our latest publications"),
    "LinkListBlock.intro": (f"Text before the links. {MARKDOWN}", "Among this year's papers:"),
    "LinkListBlock.links": ("The links, each a title and a URL", [
        {"title": "Trustworthy AI for media", "url": "https://www.example.eu/papers/1"}]),
    "LinkListBlock.outro": (f"Text after the links. {MARKDOWN}", "All papers are open access."),
    "LinkListBlock.button": ("A button under the list", {"label": "All publications",
                                                          "url": "https://www.example.eu/papers/"}),
    "BulletsBlock.title": ("The list's heading", "This month in brief"),
    "BulletsBlock.intro": (f"Text before the list. {MARKDOWN}", "Three things happened:"),
    "BulletsBlock.items": (f"The list's items, one per '- ' line. {MARKDOWN}", ["Best paper award",
                                                                                 "A grant for the winter school"]),
    "BulletsBlock.outro": (f"Text after the list. {MARKDOWN}", "More in the next issue."),
    "BulletsBlock.button": ("A button under the list", {"label": "All news", "url": "https://www.example.eu/news/"}),
    "BulletsBlock.link": ("A link under the list, shown as a button too", {
        "label": "Our annual report", "url": "https://www.example.eu/report/"}),
    "CtaBlock.text": (f"Text before the button. {MARKDOWN}", "Places are limited."),
    "CtaBlock.button": ("The button: what it says and where it goes", {"label": "Register for the winter school",
                                                                        "url": "https://www.example.eu/winter/"}),
    "UpcomingEventsBlock.title": (None, "Upcoming events"),
    "UpcomingEventsBlock.intro": (f"Text before the events. {MARKDOWN}", "Meet us at:"),
    "UpcomingEventsBlock.events": ("The events, soonest first", [
        {"title": "Winter school", "start": "2026-12-01", "place": "Vienna", "url": "https://www.example.eu/winter/"}]),
    "PastEventsBlock.title": (None, "In case you've missed it"),
    "PastEventsBlock.intro": (f"Text before the events. {MARKDOWN}", "The recordings are online."),
    "PastEventsBlock.columns": ("How many events side by side on wide screens: 1, 2 or 3", 2),
    "PastEventsBlock.events": ("The past events, each with a title, a date and a link to its recording", [
        {"title": "Autumn workshop", "date": "2026-10-12", "url": "https://www.example.eu/autumn/"}]),
    "HeadingBlock.title": ("The section's heading", "Research"),
    "HeadingBlock.intro": (f"Text under the heading. {MARKDOWN}", "What our teams published this month."),
    "HeadingBlock.level": (None, 1),
    "QuoteBlock.text": (f"The quotation. {MARKDOWN}", "Open science is the only science."),
    "QuoteBlock.attribution": (None, "Ada Example, director"),
    "QuoteBlock.link": (None, "https://www.example.eu/interview/"),
    "ImageBlock.src": ("The picture: an https: address of a PNG, JPEG or GIF", "https://www.example.eu/team.jpg"),
    "ImageBlock.alt": (None, "Our team in front of the lab"),
    "ImageBlock.decorative": (None, False),
    "ImageBlock.caption": (f"A line under the picture. {MARKDOWN}", "The team in October."),
    "ImageBlock.href": (None, "https://www.example.eu/gallery/"),
    "ImageBlock.width": (None, 300),
    "FeatureBlock.title": ("The feature's heading", "Meet the winter school"),
    "FeatureBlock.image": ("The picture beside the text", {"src": "https://www.example.eu/school.jpg",
                                                            "alt": "Students at the winter school"}),
    "FeatureBlock.body": (f"The text beside the picture. {MARKDOWN}", "Two weeks of lectures and labs."),
    "FeatureBlock.link": ("A button under the text", {"label": "See the programme",
                                                       "url": "https://www.example.eu/winter/"}),
    "FeatureBlock.image_position": (None, "left"),
    "SponsorsBlock.title": ("The heading over the logos", "Our partners"),
    "SponsorsBlock.intro": (f"Text before the logos. {MARKDOWN}", "This work is funded by:"),
    "SponsorsBlock.sponsors": ("The partners or funders, each with a name, a logo and a link", [
        {"name": "Example Foundation", "logo": "https://www.example.eu/foundation.png",
         "url": "https://www.example-foundation.eu/"}]),
    "TocBlock.title": (None, "In this issue"),
    "SpacerBlock.height": (None, 24),
    "FooterBlock.title": (None, "Follow us"),
    "FooterBlock.text": (f"Text in the footer, above the contact and the postal address. {MARKDOWN}",
                         "Questions? Reply to this email."),
    # --- parts of blocks ---
    "Image.src": (None, "https://www.example.eu/lab.jpg"),
    "Image.alt": (None, "The new lab building"),
    "Image.decorative": (None, False),
    "Image.width": (None, 600),
    "Image.href": ("Makes the image a link to this address", "https://www.example.eu/lab/"),
    "Logo.src": (None, "images/logo.png"),
    "Logo.alt": (None, "Example Weekly"),
    "Logo.decorative": (None, False),
    "Logo.width": (None, 180),
    "Logo.dark_src": (None, "images/logo-light.png"),
    "ImageWeight.warn_kb": ("Warn when the issue's local images weigh more than this many kB together", 1000),
    "ImageWeight.error_kb": ("Stop the build when the issue's local images weigh more than this many kB", 5000),
    "Settings.image_weight": ("Limits on the bytes of an issue's local images together",
                              {"warn_kb": 1000, "error_kb": 5000}),
    "Logo.href": ("Makes the logo a link, usually to the website", "https://www.example.eu/"),
    "Button.label": ("What the button says: where it leads, not 'click here'", "Read about the lab"),
    "Button.url": ("Where the button leads: an https: (or mailto:) address", "https://www.example.eu/news/lab/"),
    "Link.title": ("What the link says: the title of the page it leads to", "Trustworthy AI for media"),
    "Link.url": ("Where the link leads: an https: (or mailto:) address", "https://www.example.eu/papers/1"),
    "Person.name": ("The person's name", "Ada Example"),
    "Person.role": ("Their role or title", "Director"),
    "Person.affiliation": ("Where they work", "Example Lab, University of Vienna"),
    "Signature.names": ("Who signs, one name per '- ' line", ["Ada Example", "Bo Example"]),
    "Signature.affiliation": ("Where the signers work", "Example Lab"),
    "Event.title": ("The event's name", "Winter school"),
    "Event.start": ("Its first day, YYYY-MM-DD", "2026-12-01"),
    "Event.end": ("Its last day, YYYY-MM-DD, for an event of several days", "2026-12-12"),
    "Event.place": ("Where it takes place (a city, or Online)", "Vienna"),
    "Event.url": ("Its page: an https: address", "https://www.example.eu/winter/"),
    "Event.label": (None, "Register"),
    "PastEvent.title": ("The event's name", "Autumn workshop"),
    "PastEvent.subtitle": ("A line under the name, e.g. its theme", "AI and the newsroom"),
    "PastEvent.date": ("The day it took place, YYYY-MM-DD", "2026-10-12"),
    "PastEvent.where": (None, "Online"),
    "PastEvent.url": ("Its page or recording: an https: address", "https://www.example.eu/autumn/"),
    "PastEvent.label": (None, "Watch the recording"),
    "Sponsor.name": (None, "Example Foundation"),
    "Sponsor.logo": (None, "https://www.example.eu/foundation.png"),
    "Sponsor.url": ("The partner's website", "https://www.example-foundation.eu/"),
    "Sponsor.width": (None, 120),
    # --- newsletter.yaml ---
    "Settings.name": (None, "Example Weekly"),
    "Settings.brand": ("Logo, colours, fonts and width of every issue", {"colors": {"primary": "#1a4a7a"}}),
    "Settings.sender": ("Who the email comes from", {"name": "Example Weekly", "email": "news@example.org"}),
    "Settings.postal_address": ("Your organisation's postal address, shown in every footer (required by CAN-SPAM "
                                "and the ePrivacy rules)", "Example Org, 1 Main Street, 1000 City, Country"),
    "Settings.contact_email": ("An address readers can write to, shown in the footer", "info@example.org"),
    "Settings.website": ("Your website, linked in the footer", "https://www.example.org/"),
    "Settings.archive_url": (None, "https://news.example.org/"),
    "Settings.social": ("Your social media accounts, shown as icons in the footer", [
        {"network": "linkedin", "url": "https://www.linkedin.com/company/example/", "label": "LinkedIn"}]),
    "Settings.funding": (None, {"text": "Funded by the European Union."}),
    "Settings.utm": ("The utm_ tags added to links, for your web statistics", {"source": "newsletter",
                                                                                "medium": "email"}),
    "Settings.templates": (None, "templates"),
    "Settings.strings": (None, {"de": {"Follow us": "Folgen Sie uns"}}),
    "Brand.logo": ("Your logo at the top of every issue", {"src": "https://www.example.org/logo.png",
                                                           "alt": "Example Weekly", "width": 180}),
    "Brand.colors": ("The brand colours, #rrggbb", {"primary": "#1a4a7a", "accent": "#c2185b"}),
    "Brand.fonts": ("The fonts of the text and headings", {"body": "Arial, Helvetica, sans-serif"}),
    "Brand.width": (None, 600),
    "Colors.primary": ("The masthead's and headings' colour (#rrggbb)", "#1a4a7a"),
    "Colors.accent": ("The accent colour: buttons and highlights (#rrggbb)", "#c2185b"),
    "Colors.text": ("The text colour (#rrggbb)", "#222222"),
    "Colors.muted": ("The colour of secondary text: dates, roles, the footer (#rrggbb)", "#555555"),
    "Colors.background": ("The colour around the email (#rrggbb)", "#eef1f5"),
    "Colors.surface": ("The email's own background (#rrggbb)", "#ffffff"),
    "Colors.link": ("The colour of links in text (#rrggbb)", "#1a4a7a"),
    "Colors.button_text": ("The colour of the words on buttons (#rrggbb)", "#ffffff"),
    "Colors.dark_background": ("The colour around the email in dark mode (#rrggbb)", "#121212"),
    "Colors.dark_surface": ("The email's background in dark mode (#rrggbb)", "#1e1e1e"),
    "Colors.dark_text": ("The text colour in dark mode (#rrggbb)", "#e8e8e8"),
    "Colors.dark_link": ("The colour of links in dark mode (#rrggbb)", "#8cc4ff"),
    "Fonts.body": ("The text's fonts, first choice first, ending with a generic family",
                   "Helvetica, Arial, sans-serif"),
    "Fonts.heading": ("The headings' fonts, first choice first, ending with a generic family",
                      "Georgia, 'Times New Roman', serif"),
    "Fonts.web_font": ("A web font to load where clients allow it (Apple Mail, iOS); others use the fonts above",
                       {"name": "Open Sans", "href": "https://fonts.googleapis.com/css2?family=Open+Sans"}),
    "WebFont.name": (None, "Open Sans"),
    "WebFont.href": (None, "https://fonts.googleapis.com/css2?family=Open+Sans"),
    "Funding.text": (None, "Funded by the European Union under grant 951911."),
    "Funding.logo": (None, {"src": "https://www.example.org/eu-flag.png", "alt": "EU flag", "width": 80}),
    "Sender.name": ("The name readers see as the sender", "Example Weekly"),
    "Sender.email": ("The From address", "news@example.org"),
    "Sender.reply_to": ("Where replies go, when not to the From address", "info@example.org"),
    "SocialLink.network": ("The network, which picks the icon", "linkedin"),
    "SocialLink.url": ("Your page on it", "https://www.linkedin.com/company/example/"),
    "SocialLink.label": ("The icon's text, for screen readers and blocked images", "LinkedIn"),
    "SocialLink.icon": (None, "https://www.example.org/icons/mastodon.png"),
    "Utm.source": ("utm_source of every link", "newsletter"),
    "Utm.medium": ("utm_medium of every link", "email"),
    "Utm.campaign": (None, "2026-11-our-november-news"),
    "Utm.domains": (None, ["www.example.org"]),
    "Utm.parts": (None, ["html", "text"]),
}

VAGUE = ("Plain text", "#rrggbb (or #rgb)")  # a type's description, not the field's


def document(schema: dict[str, Any], top: str) -> dict[str, Any]:
    """Fill the description and the example of every property of ``schema`` (and of its ``$defs``).

    ``top`` names the schema's own model (``Issue`` or ``Settings``); the
    issue schema's relaxed copies of the settings (``Override...``) get the
    same words as the settings.
    """
    _fill(schema, top)
    for name, definition in schema.get("$defs", {}).items():
        model = "Settings" if name == "SettingsOverride" else name.removeprefix("Override")
        _fill(definition, model)
    return schema


def _fill(definition: dict[str, Any], model: str) -> None:
    for field, prop in (definition.get("properties") or {}).items():
        description, example = DOCS.get(f"{model}.{field}") or DOCS.get(f"*.{field}") or (None, None)
        if field == "type" and "const" in prop:
            example = prop["const"]
        if description and (not prop.get("description") or prop["description"].startswith(VAGUE)):
            prop["description"] = description
        if example is not None:
            prop["examples"] = [example]
