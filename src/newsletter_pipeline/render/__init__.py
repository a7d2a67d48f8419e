"""Rendering stages: templates (Jinja2) -> mjml (MRML) -> inline (premailer) -> text.

Only this package imports jinja2, mjml and premailer.
"""

from .pipeline import build_issue, render_issue

__all__ = ["build_issue", "render_issue"]
