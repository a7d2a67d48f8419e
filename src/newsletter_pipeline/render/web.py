"""Jinja2 for the web archive: templates under ``web/`` in the usual override chain.

The archive's pages, index, Atom feed and sitemap are rendered here because
only ``render/`` may import Jinja. They share the email's environment (so the
same override chain, sandbox, autoescape and ``StrictUndefined``) and look templates up
as ``web/<name>``: a project overrides ``templates/web/page.html.j2`` exactly
as it overrides an email partial.

Values passed in ``html`` are markup our own pipeline produced (the rendered
email's head and body); everything else is escaped, so issue text never
becomes markup on the web either. Autoescape also makes the XML templates
safe: HTML escaping is valid XML escaping.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from markupsafe import Markup

from ..errors import Location
from ..template_folders import existing, template_chain
from .templates import render_template

WEB_FOLDER = "web"


def site_template_dirs(project_root: Path, configured: str | None,
                       override: Path | None = None) -> tuple[Path, ...]:
    """The override chain for site-wide pages (index, feed), which belong to no issue.

    Same order as an issue's chain: ``--templates``, newsletter.yaml's
    ``templates:``, the project's ``templates/``, the built-in templates.
    """
    return existing(template_chain(project_root, configured, override))


def render_web(name: str, dirs: tuple[Path, ...], context: Mapping[str, Any],
               html: Mapping[str, str] | None = None) -> str:
    """Render ``web/<name>`` with ``context``; ``html`` values are inserted unescaped.

    Raises a located ``TemplateError`` when the template is missing, does not
    parse, or fails while rendering.
    """
    values = {**context, **{key: Markup(value) for key, value in (html or {}).items()}}
    template_name = f"{WEB_FOLDER}/{name}"
    return render_template(template_name, dirs, values, missing_at=Location(template_name))
