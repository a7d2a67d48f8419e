"""Build a real API provider pointed at a running fake, for provider-level tests.

``provider_for(fake, tmp_path, **settings)`` returns the provider class named
after the fake (``ListmonkFake`` -> ``listmonk``) configured with the fake's
URL and credentials, fast retry settings, and a ledger under ``tmp_path``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newsletter_pipeline.config import Config
from newsletter_pipeline.ledger import Ledger
from newsletter_pipeline.models import UNSUBSCRIBE_PLACEHOLDER
from newsletter_pipeline.providers import load_provider
from newsletter_pipeline.models import Content
from newsletter_pipeline.providers.base import Provider

from .brevo import BrevoFake
from .listmonk import ListmonkFake
from .mailchimp import MailchimpFake
from .server import FakeServer

# Retries stay bounded and quick in tests; timeouts are short enough to hit.
FAST = {"NEWSLETTER_HTTP_CONNECT_TIMEOUT": "2", "NEWSLETTER_HTTP_READ_TIMEOUT": "0.5",
        "NEWSLETTER_HTTP_ATTEMPTS": "3", "NEWSLETTER_HTTP_BACKOFF": "0.01", "NEWSLETTER_HTTP_MAX_DELAY": "2"}


def settings_for(fake: FakeServer) -> dict[str, str]:
    """The provider's settings (URL, credentials, list) for this fake."""
    if isinstance(fake, ListmonkFake):
        return {"LISTMONK_URL": fake.root, "LISTMONK_USERNAME": fake.username, "LISTMONK_TOKEN": fake.token,
                "LISTMONK_LIST_IDS": ",".join(map(str, list(fake.lists)[:1]))}
    if isinstance(fake, MailchimpFake):
        return {"MAILCHIMP_API_KEY": fake.api_key, "MAILCHIMP_LIST_ID": next(iter(fake.lists)),
                "MAILCHIMP_API_URL": fake.url}
    if isinstance(fake, BrevoFake):
        return {"BREVO_API_KEY": fake.api_key, "BREVO_LIST_IDS": ",".join(map(str, fake.lists)),
                "BREVO_API_URL": fake.url}
    raise TypeError(type(fake).__name__)


def provider_name(fake: FakeServer) -> str:
    return type(fake).__name__.removesuffix("Fake").lower()


def provider_for(fake: FakeServer, root: Path, **overrides: str) -> Provider:
    values = {**FAST, **settings_for(fake), **overrides}
    return load_provider(provider_name(fake), Config({k: v for k, v in values.items() if v}), Ledger(root))


def content(slug: str = "2021-12-test-issue", **fields: Any) -> Content:
    """A small issue whose text carries every template syntax a provider might evaluate."""
    base = dict(
        slug=slug, subject="One year of AI4Media", preheader="Highlights of the year",
        html=(f'<html><body><p>Hello from AI4Media.</p>'
              f'<p><a href="{UNSUBSCRIBE_PLACEHOLDER}">Unsubscribe</a></p></body></html>'),
        text=f"Hello from AI4Media.\n\nUnsubscribe: {UNSUBSCRIBE_PLACEHOLDER}\n",
        language="en", from_name="AI4Media", from_email="newsletter@ai4media.eu",
        reply_to="info@ai4media.eu", list_name="AI4Media")
    base.update(fields)
    return Content(**base)
