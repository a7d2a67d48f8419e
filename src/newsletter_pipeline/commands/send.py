"""``newsletter send``: build, check, then hand the issue to a provider (test or list send).

``send_issue`` is the one function that sends one issue; ``run`` (one ISSUE)
calls it once and ``changed.send_tests`` (several, for CI) loops over it.
Order, each step stopping everything after it when it fails:
options (exit 2) -> build and ``run_checks`` (exit 1, before any network call)
-> settings and provider (exit 2) -> what the provider cannot do (exit 2)
-> the email's headers (exit 1/2) -> the local images' published addresses
(HEAD; shown by ``--dry-run``, a warning for a test send) -> ``--dry-run`` stops
here -> a missing image refuses a list send (exit 2) -> CI guard and
confirmation for list sends (exit 2) -> the provider (exit 3 on failure).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..checked import build_checked
from ..audiences import audience_config
from ..checks import CheckReport
from ..checks.published import Published, check_published, media_urls
from ..config import ADDRESS_HINTS, Config, email_addresses
from ..errors import (EXIT_OK, EXIT_PROVIDER, ConfigError, DiagnosticList, Interrupted, IssueError, Location,
                      UsageError, cut, one_line)
from ..errors import echo as echo_value
from ..issue.load import LoadedIssue, display_path
from ..ledger import Ledger
from ..message import header_problem
from ..models import Content, RenderedIssue
from ..providers import DEFAULT_PROVIDER, provider_class
from ..progress import Progress, quiet
from ..providers.base import Plan, Provider, SendResult

Echo = Callable[[str], None]
MAX_SCHEDULE_AHEAD = timedelta(days=3653)  # 10 years: see parse_schedule


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
    progress: Progress = quiet  # test sends to many recipients, one by one (outbox, smtp)
    templates: Path | None = None  # --templates: overrides searched before the project's templates/

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
    """The aware time ``--schedule`` names, in the future and at most ``MAX_SCHEDULE_AHEAD`` ahead.

    The bound is a sanity check (a mistyped year), and it keeps every provider's
    arithmetic on the time (conversion to UTC, Mailchimp's rounding up to a
    quarter hour) far from ``datetime.max``: 9999-12-31T23:50Z used to crash
    with OverflowError (exit 70) instead of a usage error.
    """
    example = "e.g. 2026-12-15T09:00:00+01:00 or 2026-12-15T08:00:00Z"
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--schedule {text!r}: not an ISO 8601 date and time ({example})") from None
    if when.tzinfo is None:
        raise UsageError(f"--schedule {text!r}: add a time zone ({example})")
    now = datetime.now(UTC)
    if when <= now:
        raise UsageError(f"--schedule {text!r}: that time has passed (use --now, or a future time)")
    latest = now + MAX_SCHEDULE_AHEAD
    if when > latest:  # comparing aware times never overflows; converting them may
        raise UsageError(f"--schedule {text!r}: more than 10 years ahead (the latest is "
                         f"{latest:%Y-%m-%d}); check the year")
    return when


@dataclass
class Attempt:
    """How far ``send_issue`` got with one issue, filled in as it goes (for the CI summary's row)."""

    path: Path
    rendered: RenderedIssue | None = None
    report: CheckReport | None = None
    provider: str = ""
    result: SendResult | None = None  # None: not sent (failed before, or --dry-run)
    dry_run: bool = False


def build_and_check(attempt: Attempt, echo_err: Echo, templates: Path | None = None
                    ) -> tuple[LoadedIssue, RenderedIssue]:
    """Every send builds and checks first; a check error stops it before any network call."""
    loaded, rendered, report = build_checked(attempt.path, templates)
    attempt.rendered, attempt.report = rendered, report
    for warning in report.warnings:
        echo_err(str(warning.as_diagnostic()))
    if report.errors:
        raise IssueError(diagnostics=[f.as_diagnostic() for f in report.errors])
    return loaded, rendered


def make_content(loaded: LoadedIssue, rendered: RenderedIssue, config: Config) -> Content:
    """The ``Content`` of the issue with the sender settings applied; ``refuse_bad_headers`` has run on it."""
    sender = loaded.settings.sender
    content = Content(
        slug=rendered.slug, subject=rendered.subject, preheader=rendered.preheader or "",
        html=rendered.html, text=rendered.text, language=rendered.language,
        from_name=config.get("NEWSLETTER_FROM_NAME") or sender.name,
        from_email=config.address("NEWSLETTER_FROM_EMAIL") or str(sender.email),
        reply_to=config.address("NEWSLETTER_REPLY_TO") or (str(sender.reply_to) if sender.reply_to else None),
        list_name=loaded.settings.name)
    refuse_bad_headers(loaded, content, config)
    return content


def refuse_bad_headers(loaded: LoadedIssue, content: Content, config: Config) -> None:
    """Subject and sender name become header lines, the preheader the inbox's one preview line: a line
    break or control character there would crash the message (or split it); refuse it, located,
    before any provider sees it.

    The issue's values are ``IssueError`` (exit 1) at their ``file:line:col``;
    ``NEWSLETTER_FROM_NAME`` is a ``ConfigError`` (exit 2).
    """
    hint = "write it on one line, without control characters"
    name_problem = header_problem(content.from_name)
    if name_problem and config.get("NEWSLETTER_FROM_NAME"):
        raise ConfigError(f"NEWSLETTER_FROM_NAME: {name_problem} (the sender name is one line of plain text)")
    found = DiagnosticList()
    for key, value in (("subject", content.subject), ("preheader", content.preheader)):
        problem = header_problem(value)
        if problem:
            found.add(loaded.location((key,)), problem, key, hint)
    if name_problem:
        found.add(Location(display_path(loaded.project_root / "newsletter.yaml")), name_problem, "sender.name", hint)
    found.raise_if_any(IssueError)


def send_issue(attempt: Attempt, options: SendOptions, when: datetime | None, echo: Echo, echo_err: Echo,
               confirm: Callable[[str], str] | None = None) -> int:
    """Build, check and send one issue (``options.kind``); returns 0, or 3 when a recipient failed.

    Errors are raised (``NewsletterError``); ``attempt`` says how far it got.
    ``validate_options`` has already run.
    """
    loaded, rendered = build_and_check(attempt, echo_err, options.templates)
    config = Config.load(loaded.project_root)
    config.seconds("NEWSLETTER_SEND_LOCK_TIMEOUT")  # every send checks it: a test send tells before the list send
    name = options.provider or config.get("NEWSLETTER_PROVIDER") or DEFAULT_PROVIDER
    cls = provider_class(name)
    attempt.provider = cls.name
    if options.test:
        cls.require("test_send")
    else:
        cls.check_list_send(when)
        # each edition goes to its own language's list (audiences.py)
        config = audience_config(config, name, loaded.edition, loaded.issue.language)
    provider = cls(config, Ledger(loaded.project_root))
    provider.progress = options.progress
    try:
        content = make_content(loaded, rendered, config)
        recipients = test_recipients(options, config) if options.test else []
        published = published_media(loaded, rendered, options, echo_err)
        if options.dry_run:
            attempt.dry_run = True
            shown = provider.prepare(content, test=options.test)
            recipients = recipients or (provider.default_test_recipients() if options.test else [])
            for line in describe(options, provider, shown, recipients, when,
                                 provider.plan(options.kind, shown, recipients, when)):
                echo(line)
            for line in describe_media(published):
                echo(line)
            return EXIT_OK
        if options.test:
            attempt.result = provider.test_send(content, recipients)
        else:
            refuse_unpublished(published)
            guard_list_send(options, rendered.slug, provider, config, confirm)
            try:
                attempt.result = provider.list_send(content, when)
            except KeyboardInterrupt:
                raise Interrupted(
                    f"interrupted during the {'schedule' if when else 'send'} of {rendered.slug} through "
                    f"{provider.name}: it may or may not have reached the provider. Run the same command again: "
                    "it looks the campaign up first and never sends it twice") from None
    finally:
        provider.close()
    return report(attempt.result, echo)


def published_media(loaded: LoadedIssue, rendered: RenderedIssue, options: SendOptions,
                    echo_err: Echo) -> list[Published]:
    """Ask for each local image at its published address; a test send only warns about missing ones."""
    urls = media_urls(loaded.settings.archive_url, (media.name for media in rendered.media))
    if not urls:
        return []
    published = check_published(urls)
    if options.test and not options.dry_run:
        for item in published:
            if item.problem:
                echo_err(f"warning: {item.url}: this local image is not published yet ({item.problem}); the test "
                         "email shows it broken (run 'newsletter archive' and upload the site)")
    return published


def refuse_unpublished(published: list[Published]) -> None:
    """A list send whose pictures are not on the web yet would reach every reader broken: refuse it."""
    missing = [item for item in published if item.problem]
    if missing:
        listed = "; ".join(f"{item.url} ({item.problem})" for item in missing)
        raise UsageError(f"refusing the list send: {len(missing)} local image(s) of this issue are not published "
                         f"yet: {listed} (run 'newsletter archive', upload the site to archive_url, then send "
                         "again; nothing was sent)")


def describe_media(published: list[Published]) -> list[str]:
    if not published:
        return []
    return ["images:"] + [f"  {item.url}: {'published' if item.problem is None else 'MISSING, ' + item.problem}"
                          for item in published]


def test_recipients(options: SendOptions, config: Config) -> list[str]:
    """``--to`` (already checked), else ``NEWSLETTER_TEST_RECIPIENTS``: valid, normalized, each once."""
    if options.to:
        return options.to
    return email_addresses(config.list("NEWSLETTER_TEST_RECIPIENTS"), "NEWSLETTER_TEST_RECIPIENTS",
                           hint=ADDRESS_HINTS["NEWSLETTER_TEST_RECIPIENTS"])


def guard_list_send(options: SendOptions, slug: str, provider: Provider, config: Config,
                    confirm: Callable[[str], str] | None) -> None:
    """CI refusal, then --yes or the typed slug; no terminal and no --yes: refuse (exit 2)."""
    allowed = ci_list_send_allowed(config)  # first: a malformed value is refused in CI and out of it alike
    marker = ci_marker(config)
    if marker and not allowed:
        raise UsageError(f"refusing a list send in CI ({marker}); set NEWSLETTER_ALLOW_CI_LIST_SEND=1 to allow it")
    if options.yes:
        return
    if confirm is None:
        raise UsageError("a list send needs confirmation: pass --yes (no terminal to ask on)")
    what = f"schedule it for {options.schedule}" if options.schedule else "send it now"
    typed = confirm(f"This will {what} to {list_words(provider)}. "
                    f"Type the issue's slug ({slug}) to confirm")
    if typed.strip() != slug:
        raise UsageError("confirmation did not match the slug; nothing sent")


# What CI services set: every one sets CI (GitHub Actions and GitLab "true", Woodpecker "woodpecker"); the
# services' own names are asked too, so a job that clears CI (or sets CI=false) is still known for what it is.
CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "GITLAB_CI")
NOT_SET = {"", "0", "false", "no", "off"}


def ci_marker(config: Config) -> str | None:
    """``NAME=value`` of the first variable saying this runs in CI, or None."""
    for name in CI_VARIABLES:
        value = config.get(name) or ""
        if value.lower() not in NOT_SET:
            return f"{name}={one_line(cut(value, 40))}"
    return None


def ci_list_send_allowed(config: Config) -> bool:
    """``NEWSLETTER_ALLOW_CI_LIST_SEND``: 1 allows, unset or 0 does not; anything else is a ``ConfigError``.

    ``yes`` or ``true`` may mean "allowed" to one reader and not to another: the
    README promises ``=1``, so any other value is refused rather than guessed.
    """
    value = config.get("NEWSLETTER_ALLOW_CI_LIST_SEND")
    if value in (None, "0", "1"):
        return value == "1"
    raise ConfigError(f"NEWSLETTER_ALLOW_CI_LIST_SEND={echo_value(value)} is not 1: write "
                      "NEWSLETTER_ALLOW_CI_LIST_SEND=1 to allow a list send in CI, or remove the setting "
                      "(never set it in the repository's CI)")


def list_words(provider: Provider) -> str:
    """The list a send goes to, in words: "the outbox's list", "listmonk list 3" (not "outbox list outbox")."""
    if provider.list_ref in ("", "default", provider.name):
        return f"the {provider.name}'s list"
    return f"{provider.name} list {provider.list_ref}"


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
    return send_issue(Attempt(options.issue), options, when, echo, echo_err, confirm)
