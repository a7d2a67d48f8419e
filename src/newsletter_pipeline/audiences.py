"""Which list an edition goes to: one audience per language, the same pattern for every provider.

A list send of the Greek edition (``<slug>.el.yaml``) reads the provider's
list setting with the language appended: ``LISTMONK_LIST_IDS_EL``,
``MAILCHIMP_LIST_ID_EL``, ``BREVO_LIST_IDS_EL`` (``pt-BR`` is ``_PT_BR``).
An edition without its audience is refused before anything is sent: sending
the Greek text to the default list would reach the wrong readers. The default
edition (no language in its file name) uses the plain setting, or the one
for its language when that is set.

Provider-independent by design: the send command swaps the one setting the
provider reads (``audience_config``), so providers know nothing of editions.
"""

from __future__ import annotations

from .config import Config
from .errors import ConfigError

# the setting each list-sending provider reads its list from
LIST_SETTINGS = {"listmonk": "LISTMONK_LIST_IDS", "mailchimp": "MAILCHIMP_LIST_ID", "brevo": "BREVO_LIST_IDS"}


def audience_setting(provider: str, language: str) -> str | None:
    """``("listmonk", "el")`` -> ``"LISTMONK_LIST_IDS_EL"``; None for a provider without lists."""
    base = LIST_SETTINGS.get(provider)
    return f"{base}_{language.upper().replace('-', '_')}" if base else None


def audience_config(config: Config, provider: str, edition: str | None, language: str) -> Config:
    """``config`` with the provider's list setting set to the audience of this edition.

    ``edition`` is the language of an edition file (None for the default
    edition, which falls back to the plain setting); ``language`` the issue's.
    Raises ``ConfigError`` (exit 2) for an edition without its audience.
    """
    base = LIST_SETTINGS.get(provider)
    if base is None:
        return config
    name = audience_setting(provider, edition or language)
    assert name is not None
    value = config.get(name)
    if value:
        return Config({**config.values, base: value}, config.sources)
    if edition is None:
        return config
    where = ", ".join(config.sources) if len(config.sources) > 1 else "the environment or .env"
    raise ConfigError(f"the '{edition}' edition has no audience: set {name} to its {provider} list "
                      f"(like {base}, in {where}; see README 'Editions'). Nothing was sent.")
