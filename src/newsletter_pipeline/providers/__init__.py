"""Mail providers behind one interface (``base.py``): outbox, smtp, listmonk, mailchimp, brevo.

Only this package imports requests and smtplib. Provider modules never import
each other; ``load_provider`` imports the chosen one lazily.
"""

from __future__ import annotations

import difflib
import importlib
from typing import TYPE_CHECKING

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..config import Config
    from ..ledger import Ledger
    from .base import Provider

# name -> "module:Class" (relative to this package)
PROVIDERS: dict[str, str] = {
    "outbox": ".outbox:OutboxProvider",
    "smtp": ".smtp:SmtpProvider",
    "listmonk": ".listmonk:ListmonkProvider",
    "mailchimp": ".mailchimp:MailchimpProvider",
    "brevo": ".brevo:BrevoProvider",
}
DEFAULT_PROVIDER = "outbox"


def provider_class(name: str) -> type[Provider]:
    """The class registered as ``name``; a ``ConfigError`` naming the choices otherwise."""
    if name not in PROVIDERS:
        close = difflib.get_close_matches(name.lower(), PROVIDERS, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ConfigError(f"unknown provider {name!r} (NEWSLETTER_PROVIDER or --provider): "
                          f"{hint}choose one of {', '.join(PROVIDERS)}")
    module_name, class_name = PROVIDERS[name].split(":")
    try:
        module = importlib.import_module(module_name, __name__)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.endswith(module_name.lstrip(".")):
            raise ConfigError(f"the {name} provider is not available in this version") from None
        raise
    return getattr(module, class_name)


def load_provider(name: str, config: Config, ledger: Ledger) -> Provider:
    return provider_class(name)(config, ledger)
