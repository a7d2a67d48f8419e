"""What a list send through the configured provider carries for unsubscribing (``check`` prints it).

Gmail and Yahoo require one-click unsubscribe (RFC 8058: ``List-Unsubscribe``
with an https URL plus ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``)
of bulk senders. The outbox and SMTP build the headers themselves
(``message.Unsubscribe``); the list providers add their own, as their
documentation and source say:

- Listmonk: ``internal/manager`` sets both headers, with the subscriber's own
  unsubscribe URL, when its setting ``privacy.unsubscribe_header`` ("Include
  List-Unsubscribe header", Settings -> Privacy) is on.
- Mailchimp: adds both to every campaign, with its own per-subscriber URL.
- Brevo: "automatically includes a list-unsubscribe header in your email
  campaigns" (help centre, "FAQs about list-unsubscribe and list-help headers").
"""

from __future__ import annotations

from ..config import Config
from ..errors import ConfigError
from ..message import Unsubscribe

PROVIDER_HEADERS = {
    "listmonk": "Listmonk's own List-Unsubscribe (the subscriber's unsubscribe URL) and List-Unsubscribe-Post: "
                "List-Unsubscribe=One-Click, while its setting Settings -> Privacy -> 'Include List-Unsubscribe "
                "header' is on (check it there)",
    "mailchimp": "Mailchimp's own List-Unsubscribe (mailto: and its https URL) and List-Unsubscribe-Post: "
                 "List-Unsubscribe=One-Click, on every campaign",
    "brevo": "Brevo's own List-Unsubscribe with its unsubscribe link, on every campaign",
}


def list_send_headers(config: Config, sender: str | None = None) -> str:
    """One line: the provider (``NEWSLETTER_PROVIDER``) and the unsubscribe headers its list sends carry.

    ``sender`` is the issue's ``sender.email``, which ``NEWSLETTER_FROM_EMAIL`` overrides, as in a send.
    """
    provider = (config.get("NEWSLETTER_PROVIDER") or "outbox").lower()
    if provider in PROVIDER_HEADERS:
        return f"list-unsubscribe: a list send through {provider} carries {PROVIDER_HEADERS[provider]}"
    try:
        sender = config.address("NEWSLETTER_FROM_EMAIL") or sender or "SENDER"
        unsubscribe = Unsubscribe.parse(config.list("NEWSLETTER_LIST_UNSUBSCRIBE"), sender)
    except ConfigError as exc:  # said here; a send refuses it the same way
        return f"list-unsubscribe: {exc}"
    what = {"outbox": "a list send through outbox (a rehearsal: list.eml) carries",
            "smtp": "smtp sends test messages only (a list lives at a provider); they carry"}
    return f"list-unsubscribe: {what.get(provider, f'{provider}:')} {unsubscribe.describe()}"
