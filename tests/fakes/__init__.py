"""Fake provider APIs on 127.0.0.1: real HTTP servers that behave as each provider documents.

Each fake checks the provider's auth header, answers with its JSON shapes,
status codes and error bodies, keeps a real campaign state machine, records
every request, and lets the test inject faults (``fake.faults``) and rate
limits (``fake.rate_limit``).
"""

from .brevo import BrevoFake
from .listmonk import ListmonkFake
from .mailchimp import MailchimpFake
from .server import FakeServer, Reply, Request

__all__ = ["BrevoFake", "FakeServer", "ListmonkFake", "MailchimpFake", "Reply", "Request"]
