"""``newsletter send``: build, check, then hand the issue to a provider (test or list send).

Order, each step stopping everything after it when it fails:
options (exit 2) -> build and ``run_checks`` (exit 1, before any network call)
-> settings and provider (exit 2) -> what the provider cannot do (exit 2)
-> ``--dry-run`` stops here -> CI guard and confirmation for list sends
(exit 2) -> the provider (exit 3 on failure).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..checked import build_checked
from ..config import ADDRESS_HINTS, Config, email_addresses
from ..errors import EXIT_OK, EXIT_PROVIDER, IssueError, UsageError
from ..issue.load import LoadedIssue
from ..ledger import Ledger
from ..models import RenderedIssue
from ..providers import DEFAULT_PROVIDER, provider_class
from ..providers.base import Content, Plan, Provider, SendResult

Echo = Callable[[str], None]


@dataclass
class SendOptions:
    issue: Path
    test: bool = False
    to: list[str] = field(default_factory=list)
    schedule: str | None = None
    now: bool = False
    yes: bool = False
    dry_run: bool = False
    provider: str | None = None

    @property
    def kind(self) -> str:
        return "test" if self.test else "schedule" if self.schedule else "now"


def validate_options(options: SendOptions) -> datetime | None:
    """Exactly one of --test, --schedule, --now; returns the schedule time (aware, in the future).

    Also checks ``--to`` and replaces it with the normalized addresses, each once.
    """
    chosen = [name for name, on in (("--test", options.test), ("--schedule", options.schedule is not None),
                                    ("--now", options.now)) if on]
    if len(chosen) != 1:
        raise UsageError("choose one of --test, --schedule DATETIME or --now"
                         + (f" (got {' and '.join(chosen)})" if chosen else ""))
    if options.to and not options.test:
        raise UsageError("--to is only for --test; a list send goes to the provider's list")
    options.to = email_addresses(options.to, "--to", UsageError,
                                 "separate several addresses with commas, e.g. --to a@x.org,b@y.org")
    return parse_schedule(options.schedule) if options.schedule is not None else None


def parse_schedule(text: str) -> datetime:
    example = "e.g. 2026-12-15T09:00:00+01:00 or 2026-12-15T08:00:00Z"
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--schedule {text!r}: not an ISO 8601 date and time ({example})") from None
    if when.tzinfo is None:
        raise UsageError(f"--schedule {text!r}: add a time zone ({example})")
    if when <= datetime.now(UTC):
        raise UsageError(f"--schedule {text!r}: that time has passed (use --now, or a future time)")
    return when


def build_and_check(path: Path, echo_err: Echo) -> tuple[LoadedIssue, RenderedIssue]:
    """Every send builds and checks first; a check error stops it before any network call."""
    loaded, rendered, report = build_checked(path)
    for warning in report.warnings:
        echo_err(str(warning.as_diagnostic()))
    if report.errors:
        raise IssueError(diagnostics=[f.as_diagnostic() for f in report.errors])
    return loaded, rendered


def make_content(loaded: LoadedIssue, rendered: RenderedIssue, config: Config) -> Content:
    sender = loaded.settings.sender
    return Content(
        slug=rendered.slug, subject=rendered.subject, preheader=rendered.preheader or "",
        html=rendered.html, text=rendered.text, language=rendered.language,
        from_name=config.get("NEWSLETTER_FROM_NAME") or sender.name,
        from_email=config.address("NEWSLETTER_FROM_EMAIL") or str(sender.email),
        reply_to=config.address("NEWSLETTER_REPLY_TO") or (str(sender.reply_to) if sender.reply_to else None),
        list_name=loaded.settings.name)


def test_recipients(options: SendOptions, config: Config) -> list[str]:
    """``--to`` (already checked), else ``NEWSLETTER_TEST_RECIPIENTS``: valid, normalized, each once."""
    if options.to:
        return options.to
    return email_addresses(config.list("NEWSLETTER_TEST_RECIPIENTS"), "NEWSLETTER_TEST_RECIPIENTS",
                           hint=ADDRESS_HINTS["NEWSLETTER_TEST_RECIPIENTS"])


def guard_list_send(options: SendOptions, slug: str, provider: Provider, config: Config,
                    confirm: Callable[[str], str] | None) -> None:
    """CI refusal, then --yes or the typed slug; no terminal and no --yes: refuse (exit 2)."""
    if config.flag("CI") and not config.flag("NEWSLETTER_ALLOW_CI_LIST_SEND"):
        raise UsageError("refusing a list send in CI (CI=true); set NEWSLETTER_ALLOW_CI_LIST_SEND=1 to allow it")
    if options.yes:
        return
    if confirm is None:
        raise UsageError("a list send needs confirmation: pass --yes (no terminal to ask on)")
    what = f"schedule it for {options.schedule}" if options.schedule else "send it now"
    typed = confirm(f"This will {what} to {provider.name} list {provider.list_ref}. "
                    f"Type the issue's slug ({slug}) to confirm")
    if typed.strip() != slug:
        raise UsageError("confirmation did not match the slug; nothing sent")


def describe(options: SendOptions, provider: Provider, content: Content, recipients: list[str],
             when: datetime | None, plan: Plan) -> list[str]:
    lines = ["dry run: nothing is sent",
             f"provider:   {provider.name}",
             f"list:       {provider.list_ref}" if options.kind != "test" else "list:       (test send)",
             f"subject:    {content.subject}",
             f"from:       {content.from_name} <{content.from_email}>",
             f"reply-to:   {content.reply_to or '(none)'}",
             f"size:       {content.size:,} bytes (HTML {len(content.html.encode()):,} + text "
             f"{len(content.text.encode()):,})"]
    if options.kind == "test":
        lines.append(f"recipients: {', '.join(recipients) or '(none: set NEWSLETTER_TEST_RECIPIENTS or pass --to)'}")
    if when is not None:
        lines.append(f"schedule:   {when.isoformat()}")
    lines.append("calls:")
    lines += [f"  {call}" for call in plan.calls]
    lines += [f"note: {note}" for note in plan.notes]
    return lines


def report(result: SendResult, echo: Echo) -> int:
    echo(result.summary())
    for path in result.paths:
        echo(f"  wrote {path}")
    for recipient, status in result.outcomes.items():
        if status.value in ("rejected", "failed"):
            echo(f"  {recipient}: {status}")
    for note in result.notes:
        echo(f"note: {note}")
    return EXIT_PROVIDER if result.failed else EXIT_OK


def run(options: SendOptions, confirm: Callable[[str], str] | None = None, echo: Echo = print,
        echo_err: Echo = lambda line: print(line, file=sys.stderr)) -> int:
    """Run one send; returns the exit code (0, or 3 when a recipient failed). Errors are raised."""
    when = validate_options(options)
    loaded, rendered = build_and_check(options.issue, echo_err)
    config = Config.load(loaded.project_root)
    name = options.provider or config.get("NEWSLETTER_PROVIDER") or DEFAULT_PROVIDER
    cls = provider_class(name)
    if options.test:
        cls.require("test_send")
    else:
        cls.check_list_send(when)
    provider = cls(config, Ledger(loaded.project_root))
    try:
        content = make_content(loaded, rendered, config)
        recipients = test_recipients(options, config) if options.test else []
        if options.dry_run:
            shown = provider.prepare(content, test=options.test)
            recipients = recipients or (provider.default_test_recipients() if options.test else [])
            for line in describe(options, provider, shown, recipients, when,
                                 provider.plan(options.kind, shown, recipients, when)):
                echo(line)
            return EXIT_OK
        if options.test:
            return report(provider.test_send(content, recipients), echo)
        guard_list_send(options, rendered.slug, provider, config, confirm)
        return report(provider.list_send(content, when), echo)
    finally:
        provider.close()
