"""Jinja2: issue + settings -> MJML.

Templates are looked up in an override chain, first match wins:
``--templates DIR``, the ``templates:`` folder named in newsletter.yaml, the
project's ``templates/``, then the built-in templates shipped with the
package. A project overrides a single partial by adding a file of the same
name. Autoescape is on and undefined names fail, so issue text can never
become markup or be evaluated as a template.

Templates themselves are code, and run in a sandbox (``sandbox.py``): they
can read the issue and the settings, but not reach Python's internals, the
environment or the filesystem, and their loops and output are bounded. A
refusal is a ``TemplateError`` at the template's line.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SecurityError
from markupsafe import Markup, escape

from ..blocks import anchors, contents, heading_levels
from ..errors import Diagnostic, Location, TemplateError
from ..issue.load import LoadedIssue, display_path
from ..models import UNSUBSCRIBE_PLACEHOLDER
from ..template_folders import existing, template_chain
from .i18n import CALLING, install_i18n
from .links import add_utm
from .markdown import markdown_to_html
from .media import Picture, feature_width, padded_width
from .sandbox import Sandbox, TemplateLimit, bytecode_cache, guards, render_bounded

LAYOUT = "layout.mjml.j2"


def template_dirs(loaded: LoadedIssue, override: Path | None = None) -> tuple[Path, ...]:
    """The override chain for ``loaded``, most specific first, without duplicates."""
    return existing(template_chain(loaded.project_root, loaded.settings.templates, override))


@lru_cache(maxsize=8)
def environment(dirs: tuple[Path, ...], text: bool = False) -> jinja2.Environment:
    """One sandboxed environment per template chain, so batch builds compile each template once.

    ``text=True`` is the plain-text part's environment (``*.txt.j2``): the
    same chain, sandbox and filters, but no HTML escaping, since its output is no markup.
    """
    env = Sandbox(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=not text,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # compiling the templates is most of Jinja's cost in a one-shot `newsletter build`;
        # CALLING names how filters are called: Jinja compiles that into the bytecode (a filter
        # that takes the context, like the language's `date`, is called differently), and the
        # cache only checks the template's source, so a change of calling must change the files
        bytecode_cache=bytecode_cache(text, CALLING),
    )
    install_i18n(env)
    env.globals.update(**guards())
    env.filters["css"] = css_value
    if not text:
        env.filters["isolate"] = isolate
    return env


def isolate(value: Any) -> Markup:
    """A name, place or label set apart from the words around it: ``{{ person.name | isolate }}``.

    Without it an Arabic name and its bracketed place tear apart in an English
    line (``محمد (جامعة القاهرة 2024)``: the brackets and the year land elsewhere),
    and ``@ai4mediaproject`` reads ``ai4mediaproject@`` in an Arabic footer.
    ``dir="auto"`` gives the value the direction of its first letters, and an
    element with ``dir`` is a bidi isolate (the HTML rendering rules:
    ``unicode-bidi: isolate``). A span with ``dir``, not ``<bdi>``: Gmail keeps
    the ``dir`` attribute, where support for ``<bdi>`` is patchy; premailer keeps both.
    Prose (titles, Markdown) keeps the issue's direction: a first Latin word
    must not turn an Arabic sentence around.
    """
    return Markup('<span dir="auto">{}</span>').format(value)


_NOT_CSS_TEXT = re.compile(r"[<>&\\{};]")


def css_value(value: Any) -> Markup:
    """A setting written into a ``<style>`` element: ``{{ fonts.heading | css }}``.

    A style element's text is not HTML: ``&#39;Open Sans&#39;`` there is no
    quote but a broken declaration, which browsers and premailer drop, so the
    heading font of every quoted font name was lost. The settings that go there
    are checked to hold no ``<``, ``&``, ``;`` or braces (``issue/values.py``);
    should one ever hold them, it is escaped as before, never written as is.
    """
    text = str(value)
    return escape(text) if _NOT_CSS_TEXT.search(text) else Markup(text)


def shared_context(loaded: LoadedIssue) -> dict[str, Any]:
    """The values both parts' templates may use: the issue, its settings and its fixed links."""
    settings, issue, slug = loaded.settings, loaded.issue, loaded.slug
    archive = settings.archive_url
    online = f"{archive.rstrip('/')}/{slug}/" if archive else None
    return {
        "issue": issue,
        "i18n": loaded.messages,
        "start": "right" if issue.direction == "rtl" else "left",  # where lines begin: mirrored for rtl
        "slug": slug,
        "settings": settings,
        "brand": settings.brand,
        "colors": settings.brand.colors,
        "fonts": settings.brand.fonts,
        # the widest an image with side padding may be (media.padded_width): templates clamp widths to it
        "padded_width": padded_width(settings.brand.width),
        "feature_width": feature_width(settings.brand.width),  # a feature block's image column, likewise
        "blocks": issue.blocks,
        "levels": heading_levels(issue.blocks),
        "anchors": anchors(issue.blocks),
        "contents": contents(issue.blocks),
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        "view_online_url": online,
        # in-email anchors fail in Gmail's apps and others: a TOC links into the web archive when there is one
        "anchor_base": online or "",
    }


def link_tagger(loaded: LoadedIssue, part: str) -> Callable[[str], str]:
    """The ``url()`` of ``part``'s templates: UTM tagging when ``utm.parts`` includes it, else as written."""
    utm, slug = loaded.settings.utm, loaded.slug
    if utm is None or not utm.tags(part):
        return lambda value: value

    def url(value: str) -> str:
        return add_utm(value, utm, slug)
    return url


def context(loaded: LoadedIssue, pictures: dict[str, Picture] | None = None) -> dict[str, Any]:
    """Everything an HTML template may use. Functions close over the issue's UTM settings.

    ``picture(src, width)`` is the published address of a local image
    (``pictures``, from ``media.prepare_pictures``) and its size when shown
    ``width`` px wide; a URL passes through. A template passes the width it
    writes, since one picture may be shown at several; without it the size
    is that of the picture's widest use.
    """
    url = link_tagger(loaded, "html")
    known = pictures or {}

    def picture(src: str, width: int | None = None) -> Picture:
        return (known.get(src) or Picture(src)).shown_at(width)

    @jinja2.pass_context
    def md(ctx: jinja2.runtime.Context, text: str | None, inline: bool = False) -> Markup:
        # Markdown headings go below the calling block's own heading level (the layout sets `level`)
        return markdown_to_html(text, url, inline, level=ctx.get("level", 2)) if text else Markup("")

    return {**shared_context(loaded), "url": url, "md": md, "picture": picture}


def render_mjml(loaded: LoadedIssue, dirs: tuple[Path, ...], pictures: dict[str, Picture] | None = None) -> str:
    """Render the layout; any template failure becomes a located ``TemplateError``."""
    return render_template(LAYOUT, dirs, context(loaded, pictures), missing_at=Location(loaded.doc.file, 1, 1))


def render_template(name: str, dirs: tuple[Path, ...], values: dict[str, Any], missing_at: Location,
                    text: bool = False) -> str:
    """Render ``name`` from the chain ``dirs``; any template failure becomes a located ``TemplateError``.

    A syntax or runtime error points at the template line; a missing template
    at ``missing_at`` (what asked for it), naming the folders searched.
    ``text`` selects the unescaped plain-text environment.
    """
    env = environment(dirs, text)
    try:
        return render_bounded(env.get_template(name), values)
    except jinja2.TemplateSyntaxError as exc:
        where = Location(display_path(Path(exc.filename)) if exc.filename else exc.name or name, exc.lineno)
        raise TemplateError(diagnostics=[Diagnostic(where, f"template syntax error: {exc.message}",
                                                    hint="fix the template")]) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(diagnostics=[Diagnostic(
            missing_at, f"template not found: {exc.name}",
            hint=f"looked in {', '.join(display_path(d) for d in dirs)}")]) from None
    except (SecurityError, TemplateLimit, OverflowError) as exc:  # the sandbox's refusals (range: OverflowError)
        message, hint = _refusal(exc)
        raise TemplateError(diagnostics=[Diagnostic(_template_frame(exc) or Location(name),
                                                    f"template refused: {message}", hint=hint)]) from None
    except Exception as exc:  # noqa: BLE001 - any runtime failure inside a template
        # a MemoryError (or another error without words) said "template error: " and nothing more
        words = "it ran out of memory" if isinstance(exc, MemoryError) else str(exc) or type(exc).__name__
        raise TemplateError(diagnostics=[Diagnostic(_template_frame(exc) or Location(name),
                                                    f"template error: {words}", hint="fix the template")]) from None


def _template_frame(exc: BaseException) -> Location | None:
    """The innermost template file and line in the traceback (Jinja rewrites frames to them)."""
    found = None
    tb = exc.__traceback__ or sys.exc_info()[2]
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = Location(display_path(Path(filename)), tb.tb_lineno)
        tb = tb.tb_next
    return found


def _refusal(exc: BaseException) -> tuple[str, str]:
    """The sandbox's refusal, and what to do, in words for the template's author."""
    text = str(exc).rstrip(".")
    if isinstance(exc, SecurityError):
        return text, ("a template may read the issue and the settings, not Python's internals "
                      "such as names starting with _; see README 'Templates'")
    if isinstance(exc, OverflowError) and "range" in text.lower():
        text = "range() is limited to 100,000 numbers in a template"
    return text, "a template must stay within the sandbox's limits; see README 'Templates'"
