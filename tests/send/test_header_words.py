"""Subjects and names beyond ASCII, as mail programs decode them (RFC 2047: the space between two
encoded words is ignored, so a space of the text must never be the fold between them)."""

from __future__ import annotations

import email
import email.policy
import random
import re
from email.header import decode_header, make_header

import pytest

from newsletter_pipeline.message import MessageFactory, Unsubscribe
from newsletter_pipeline.models import Content

WORDS = ["Żółć", "gęś", "O'Brien's", '"Ż"', "🎭", "Kultura", "&", "news", "–", "année", "Ελλάδα", "x",
         "Größe", "čtvrtletník", "Ísland", "(2024)", "naïve", "Fundacja", "„Kultura”", "ĦAL", "şi"]


def built(subject: str, from_name: str = "Lab", list_name: str = "Lab",
          from_email: str = "news@lab.example.org") -> email.message.Message:
    content = Content(slug="s", subject=subject, preheader="", html="<p>Hi</p>", text="Hi", language="en",
                      from_name=from_name, from_email=from_email, reply_to=None, list_name=list_name)
    raw = MessageFactory(content, Unsubscribe.parse([], content.from_email)).render("a@x.org")
    head = raw.split(b"\r\n\r\n")[0].split(b"\r\n")
    ours = [line for line in head if not line.startswith((b"List-Unsubscribe", b"Message-ID"))]
    assert all(len(line) <= 78 for line in ours), raw[:600]
    return email.message_from_bytes(raw)  # compat32: decode_header below follows RFC 2047 to the letter


def decoded(message: email.message.Message, field: str) -> str:
    return str(make_header(decode_header(message[field])))


def test_no_space_of_a_subject_is_lost_when_it_is_folded():
    rng = random.Random(20261201)
    for _ in range(400):
        subject = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 30)))
        assert decoded(built(subject), "Subject") == subject


def test_a_sender_name_and_list_name_keep_every_space():
    """The case an outside tester found: the fold fell on the space before '"Ż"'."""
    name = "Fundacja „Kultura & Sztuka” – O'Brien's \"Ż\" 🎭"
    message = built("Hello", from_name=name, list_name=name, from_email="biuro@kultura.pl")
    assert decoded(message, "From") == f"{name} <biuro@kultura.pl>"
    assert decoded(message, "List-Id").startswith(name + " <")


@pytest.mark.parametrize("name", [" ".join(["Ελληνική Εταιρεία Επιστημονικών Ερευνών και Τεχνολογικής Ανάπτυξης"] * 2),
                                  "Łódź"])
def test_a_long_or_short_name_keeps_its_address_parseable(name):
    """Decoded as RFC 2047 says (Python's own address parser adds a space between encoded words)."""
    message = built("Hello", from_name=name, from_email="a-rather-long-address.for-news@lab.example.org")
    assert decoded(message, "From") == f"{name} <a-rather-long-address.for-news@lab.example.org>"
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)["From"]
    assert parsed.addresses[0].addr_spec == "a-rather-long-address.for-news@lab.example.org"


@pytest.mark.parametrize("name, phrase", [("Σύλλογος", "Σύλλογος"), ("Museu de Lleida, Diocesà i Comarcal",
                                                                     "Museu de Lleida, Diocesà i Comarcal"),
                                          ("ACME Research, Inc. (EU)", '"ACME Research, Inc. (EU)"')])
def test_the_list_id_itself_is_written_as_it_is(name, phrase):
    """RFC 2919: only the name before the <id> may be encoded; the whole header was one encoded word."""
    message = built("Hello", list_name=name)
    raw = message["List-Id"]
    assert re.search(r"<[a-z0-9.-]+\.lab\.example\.org>$", " ".join(raw.split())), raw
    assert decoded(message, "List-Id").startswith(phrase + " <")


@pytest.mark.parametrize("field", ["subject", "from_name"])
def test_text_that_looks_like_an_encoded_word_is_not_decoded_by_mail_programs(field):
    text = "=?utf-8?q?hello?= world"
    message = built(**{"subject": "Hello", field: text})
    shown = decoded(message, "Subject" if field == "subject" else "From")
    assert shown.startswith(text) if field == "subject" else shown.startswith(f"{text} <"), shown
