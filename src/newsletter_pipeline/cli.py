"""The ``newsletter`` command. The only module that imports click.

Each verb declares its options here and imports its implementation lazily, so
``newsletter --help`` stays fast. Domain errors become messages and exit codes
here and nowhere else; tracebacks appear only with ``--debug``.
"""

from __future__ import annotations

import errno
import logging
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial, wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from .errors import (EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OUTPUT_CLOSED, EXIT_STDOUT_FAILED, EXIT_USAGE,
                     NewsletterError, UsageError, display_path)
from .gcpause import paused
from .redaction import redact_everywhere

F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(func: F) -> F:
    """Print a ``NewsletterError`` compiler-style and exit with its code.

    ``--debug`` adds the traceback (redacted like every output) and keeps the
    exit code. Any other exception is a bug: one line naming it, exit 70.
    Ctrl-C exits 130 with one line, as shells report SIGINT. When the reader
    of stdout goes away (``newsletter check --format json | head -1``), the
    command stops quietly with 141, as a tool killed by SIGPIPE does. A
    stdout that is closed or fails (``>&-``, ``> /dev/full``) is said when the
    work is done (``_out``, ``_end``).
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        _lost.clear()  # per command: the fuzz driver runs several in one process
        try:
            try:
                result = func(*args, **kwargs)
            except SystemExit as exc:  # the verb's own code (check's 1, send's 3): kept, said after the output
                _end(exc.code)
                raise
            _end(0)
            return result
        except BrokenPipeError as exc:
            if _stdout_closed():
                _output_closed()
            # a socket's or a child's pipe: a bug like any other. Re-raised, click ended it with a
            # silent exit 1 (it takes any EPIPE for its own stdout's)
            _internal(exc, debug)
        except NewsletterError as exc:
            _fail(exc.report(), exc.exit_code, debug)
        except KeyboardInterrupt:
            _fail("interrupted", EXIT_INTERRUPTED, debug)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click's own: usage errors (exit 2), prompts ended by EOF
        except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback without --debug
            _internal(exc, debug)

    return wrapper  # type: ignore[return-value]


def _internal(exc: BaseException, debug: bool) -> NoReturn:
    """An unexpected exception: one line naming it (the traceback with ``--debug``), exit 70."""
    _fail(f"error: internal error: {type(exc).__name__}: {exc} (a bug in newsletter-pipeline; run again "
          "with --debug before the command for the traceback, and report it)", EXIT_INTERNAL, debug)


def _stdout_closed() -> bool:
    """Whether stdout is a pipe nobody reads any more (poll reports an error on its writing end)."""
    import select

    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no fileno (a test's stream), no poll (Windows)
        return False


_lost: list[str] = []  # why this command's output did not reach stdout: the first failure (``_out``)


def _out(message: str = "", nl: bool = True) -> None:
    """Print ``message`` on stdout, as ``click.echo`` does, unless stdout cannot take it.

    A closed stdout (``>&-``: ``sys.stdout`` is None) or one whose writes fail
    (``> /dev/full``) must not stop the work half-way (a list send between its
    steps) nor read as a bug: the first failure is kept, the rest of the output
    dropped, and ``_end`` says so when the command is done (exit 120). A reader
    that went away (EPIPE, ``| head``) still stops the command quietly (141).
    """
    if _lost:
        return
    if sys.stdout is None:
        _lost.append("stdout is closed")
        return
    try:
        click.echo(message, nl=nl)
    except BrokenPipeError:
        raise
    except OSError as exc:
        _lose(exc)


def _lose(exc: OSError) -> None:
    """Keep why stdout failed, and point fd 1 at /dev/null: what is still buffered then goes nowhere,
    not into the interpreter's last flush (which would print a traceback and exit 120 on its own)."""
    from .output import reason

    _lost.append("stdout is closed" if exc.errno == errno.EBADF else f"stdout cannot be written ({reason(exc)})")
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):  # no fileno (a test's stream)
        pass


def _end(code: object) -> None:
    """The verb's work is done with ``code``: flush stdout; if its output was lost, say so and exit.

    The work's own result is never hidden: a success (files written, a list
    send made) becomes exit 120 with a line saying the work itself succeeded;
    a failure keeps its own code.
    """
    if not _lost and sys.stdout is not None:
        try:
            sys.stdout.flush()  # here, not in the interpreter's last flush, which would print a traceback
        except BrokenPipeError:
            raise
        except OSError as exc:
            _lose(exc)
    if not _lost:
        return
    work = code if isinstance(code, int) else 0 if code is None else 1
    outcome = (f"the command itself failed (exit {work})" if work else "the command itself succeeded: any file "
               f"it wrote, any email it sent, is done (exit {EXIT_STDOUT_FAILED} says only that its output is lost)")
    try:
        click.echo(f"error: {_lost[0]}, so what the command printed is lost; {outcome}", err=True)
    except OSError:  # stderr fails too: the exit code still says it
        pass
    sys.exit(work or EXIT_STDOUT_FAILED)


def _hold_standard_fds() -> None:
    """Open /dev/null on fds 0-2 when they are closed (``newsletter send ... >&-``).

    Python then sets ``sys.stdout`` to None (``_out`` says the output is lost),
    and the next file opened would take the free fd 1: a child process (git,
    Chromium) would write its output into that file.
    """
    for fd, mode in ((0, os.O_RDONLY), (1, os.O_WRONLY), (2, os.O_WRONLY)):  # in order: open takes the lowest
        try:
            os.fstat(fd)
        except OSError:
            os.open(os.devnull, mode)


def _output_closed() -> NoReturn:
    """Stop without a word: whoever read the output has what they wanted (``| head``)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # what is still buffered goes nowhere, not into a second error
    os.close(devnull)
    sys.exit(EXIT_OUTPUT_CLOSED)


def _fail(message: str, code: int, debug: bool) -> NoReturn:
    """Print ``message`` (after the traceback with ``--debug``), secrets redacted, and exit ``code``."""
    text = f"{traceback.format_exc()}{message}" if debug else message
    click.echo(_redacted(text), err=True)
    sys.exit(code)


def _redacted(text: str) -> str:
    """``text`` with every secret this process has seen (``redaction``), and every secret of the
    environment and ``.env``, replaced (never fails)."""
    from .config import Config, redact

    text = redact_everywhere(text)
    try:
        return redact(text)
    except Exception:  # noqa: BLE001 - a broken .env must not hide the error: redact the environment's secrets
        return Config({k: v for k, v in os.environ.items() if v}).redactor()(text)


@contextmanager
def _clicks_own_output() -> Iterator[None]:
    """click's own output (``--help``, ``--version``, printed while the arguments are parsed, before
    ``reports_errors`` runs) to a stdout that fails ends as a verb's does (``_out``, ``_end``).

    ``newsletter --version > /dev/full`` printed a traceback (exit 1), ``--help >&-``
    exited 0 without a word, and ``--help | true`` exited 1 (click's own answer to EPIPE).
    """
    _lost.clear()  # per run: the fuzz driver runs several in one process
    try:
        yield
    except BrokenPipeError:
        _output_closed()
    except OSError as exc:  # click.echo flushes: the write fails here, not at the interpreter's exit
        _lose(exc)
        _end(0)
    except click.exceptions.Exit as exc:  # only --help and --version end the run while it is parsed
        if sys.stdout is None:  # ``>&-``: click.echo printed nowhere, without a word
            _lost.append("stdout is closed")
            _end(exc.exit_code)
        raise


class _Command(click.Command):
    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        """``VERB --help``: see ``_clicks_own_output``."""
        with _clicks_own_output():
            return super().make_context(*args, **kwargs)


class _Group(click.Group):
    command_class = _Command

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        """``newsletter --help``, ``--version``: see ``_clicks_own_output``. Here, not around ``main``:
        click's ``main`` takes any EPIPE for a silent exit 1."""
        with _clicks_own_output():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        """Ctrl-C outside a verb's body (parsing, prompts) exits 130 too, not click's "Aborted!" and 1."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)


class _RedactingFormatter(logging.Formatter):
    """Log lines (the providers' retries, the lock's wait) never carry a secret."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_everywhere(super().format(record))


# import a verb's implementation with the cyclic GC paused, then freeze what it loaded (see gcpause.py)
collector_paused = partial(paused, freeze=True)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="newsletter-pipeline")
def main(debug: bool) -> None:
    """Turn structured newsletter issues into client-safe email, check, preview and send them."""
    # Before any verb imports the schema: pydantic imports every installed package that registers a
    # pydantic plugin when it builds its first model, plugins this command never uses (logfire's
    # pulls ~670 modules, ~110 ms, into every run). A value the user set is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    _hold_standard_fds()
    _stop_on_sigterm()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop_on_sigterm() -> None:
    """SIGTERM (a process manager, a cancelled CI job) stops every verb as Ctrl-C does.

    Its default ends the process at once, skipping the clean-up Ctrl-C runs: a
    build killed while writing left its staging folder behind for good.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)


class _NamedPath(click.Path):
    """A ``click.Path`` option that refuses an empty name (exit 2), naming the option.

    ``Path("")`` is ``.``: ``--summary-file ''`` (an unset ``$VAR`` in a CI
    script) tried to write the summary over the working folder ("Device or
    resource busy", exit 4), ``--out ''`` built into the project's own folder,
    and ``--templates ''`` searched the project's folder for templates.
    """

    def __init__(self, example: str, what: str = "folder", **kwargs: Any) -> None:
        super().__init__(path_type=Path, **kwargs)
        self.example, self.what = example, what

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value == "":
            name = param.opts[0] if param is not None and param.opts else "this option"
            raise click.UsageError(f"{name} needs a {self.what} name, e.g. {name} {self.example}", ctx)
        return super().convert(value, param, ctx)


# readable=False: the loader says what is wrong with an unreadable file, and how to fix it, better than click
ISSUE_PATH = click.Path(path_type=Path, readable=False)
ISSUES = click.argument("issues", nargs=-1, required=True, type=ISSUE_PATH)
OPTIONAL_ISSUES = click.argument("issues", nargs=-1, type=ISSUE_PATH)


def templates_option(note: str = "") -> Callable[[F], F]:
    """``--templates DIR``, declared alike by every verb that renders; ``note`` ends its help.

    A folder that is not there is refused (exit 2) before anything runs: ignoring
    it would build with the default templates while the user believes otherwise.
    """
    return click.option("--templates", type=_NamedPath("my-templates/"), metavar="DIRECTORY",
                        callback=_existing_templates,
                        help=f"Folder of template overrides, searched before the project's templates/{note}.")


def _existing_templates(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    if value is not None and not os.path.isdir(value):  # not Path.is_dir(): it raises for a name over 255 bytes
        what = "is a file, not a folder" if os.path.exists(value) else "does not exist"
        raise click.BadParameter(f"{value} {what}; give the folder that holds your template overrides "
                                 "(e.g. --templates my-templates/), or leave the option out", ctx, param)
    return value


TEMPLATES = templates_option()


@main.command(short_help="Build issues into email.html, email.txt, email.mjml.")
@ISSUES
@click.option("--out", "out", default="dist", show_default=True, type=_NamedPath("dist"),
              help="Output folder; each issue goes to OUT/<slug>/.")
@TEMPLATES
@click.option("--allow-clipping", is_flag=True, help="Build even when Gmail would clip the email.")
@click.option("--watch", is_flag=True, help="Keep running and rebuild each issue when it, a template or "
              "newsletter.yaml is saved (as the preview does); Ctrl-C stops.")
@reports_errors
def build(issues: tuple[Path, ...], out: Path, templates: Path | None, allow_clipping: bool, watch: bool) -> None:
    """Build ISSUES (files, or folders of them) into OUT/<slug>/email.html, email.txt and email.mjml."""
    with collector_paused():
        from .commands.build import run, watch as watch_builds
        from .issue.load import expand_folders

    paths = expand_folders(list(issues))
    if watch:  # folders as named: an issue file saved into one later is built too
        watch_builds(list(issues), out, templates, allow_clipping, echo=_out,
                     log=lambda message: click.echo(message, err=True))
        return

    for rendered in run(paths, out, templates, allow_clipping):
        _out(f"built {out / rendered.slug}/email.html ({rendered.html_bytes:,} bytes), email.txt, email.mjml")


@main.command(short_help="Print the issue format as JSON Schema.")
@click.option("--settings", is_flag=True, help="Print the schema of newsletter.yaml instead.")
@reports_errors
def schema(settings: bool) -> None:
    """Print the issue format as JSON Schema (for editor autocompletion)."""
    from .commands.schema import run

    _out(run(settings), nl=False)


CHANGED_SINCE = click.option(
    "--changed-since", metavar="REF",
    help="Instead of ISSUES: the issue files added or changed between REF and HEAD (git REF...HEAD; "
    "deleted files skipped). For CI: the pull request's base, or the push's previous commit.")
SUMMARY_FILE = click.option(
    "--summary-file", metavar="PATH", type=_NamedPath("summary.md", "file", dir_okay=False),
    help="Also write a Markdown summary (subject, size against Gmail's limit, errors and warnings, "
    "screenshots or message ids); appended to $GITHUB_STEP_SUMMARY too when that is set.")


@main.command(short_help="Check issues for what breaks in inboxes.")
@OPTIONAL_ISSUES
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: file:line:col: level: rule: message; json: a list of {rule, level, file, line, col, "
              "message} for CI.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--check-links", is_flag=True, help="Also fetch every URL (uses the network): dead links, "
              "timeouts, redirects.")
@CHANGED_SINCE
@SUMMARY_FILE
@click.option("--screenshots-dir", "screenshots", metavar="DIR", default="screenshots", show_default=True,
              type=_NamedPath("screenshots", file_okay=False),
              help="Where `newsletter screenshot --out DIR` wrote PNGs; --summary-file links those it finds.")
@reports_errors
def check(issues: tuple[Path, ...], fmt: str, strict: bool, check_links: bool, changed_since: str | None,
          summary_file: Path | None, screenshots: Path) -> None:
    """Check ISSUES (files, or folders of them; default: issues/) for what breaks in inboxes, pointing at
    the lines to fix. Writes nothing (but the --summary-file).

    Exit codes: 0 no errors (warnings allowed unless --strict), 1 errors, 2 usage error.
    """
    with collector_paused():
        from .commands.changed import check_summary, default_issues, nothing_changed, select
        from .commands.check import run
        from .issue.load import expand_folders

    if not issues and changed_since is None:  # as `archive` does: every issue in issues/
        paths = default_issues()
        if fmt == "text":
            click.echo(f"checking every issue in issues/ ({len(paths)}); name files to check fewer", err=True)
    else:
        paths = select(expand_folders(list(issues)), changed_since)
    if changed_since is not None:
        if not paths:
            click.echo(nothing_changed(changed_since, "check"), err=True)
        elif fmt == "text":
            click.echo(f"checking {len(paths)} issue(s) added or changed since {changed_since}: "
                       f"{', '.join(map(str, paths))}", err=True)
    _refuse_summary_over_inputs(summary_file, paths)
    outcome = run(paths, strict, check_links, progress=_progress)
    output = outcome.as_json() if fmt == "json" else outcome.as_text()
    if output:
        _out(output)
    if fmt == "text" and outcome.checks:
        click.echo(outcome.summary(), err=True)
    if summary_file is not None:
        _publish(check_summary(outcome, changed_since, screenshots), summary_file, fmt == "text")
    sys.exit(outcome.exit_code)


def _refuse_summary_over_inputs(path: Path | None, issues: list[Path]) -> None:
    """Refuse (exit 2, before any work) a summary that would be written over a file the run reads,
    or over any file but a summary newsletter wrote."""
    from .commands.changed import refuse_foreign_summary, refuse_summary_over_inputs
    from .summary import STEP_SUMMARY_VAR

    refuse_summary_over_inputs(path, issues)
    refuse_foreign_summary(path)
    step_summary = os.environ.get(STEP_SUMMARY_VAR)
    if path is not None and step_summary:  # appended to only with --summary-file
        refuse_summary_over_inputs(Path(step_summary), issues, f"${STEP_SUMMARY_VAR}",
                                   "unset it, or point it at a file of its own (GitHub Actions sets one)")


def _publish(summary: Any, path: Path, announce: bool) -> None:
    """Write ``--summary-file`` (and $GITHUB_STEP_SUMMARY); say where, on stderr (only where it was)."""
    from .summary import publish

    written = publish(summary, path, warn=lambda line: click.echo(line, err=True))
    if announce and written:
        click.echo(f"summary written to {' and '.join(written)}", err=True)


@main.command(short_help="Build the web archive (pages, index, feed).")
@OPTIONAL_ISSUES
@click.option("--out", "out", default="site", show_default=True, type=_NamedPath("site"),
              help="Folder of the static site (made, or updated in place by one swap).")
@click.option("--base-url", help="Public address of the site; default: NEWSLETTER_ARCHIVE_URL, "
              "then archive_url in newsletter.yaml.")
@TEMPLATES
@reports_errors
def archive(issues: tuple[Path, ...], out: Path, base_url: str | None, templates: Path | None) -> None:
    """Build the web archive of ISSUES (default: issues/): pages, index, Atom feed, sitemap."""
    from .commands.archive import run

    result = run(list(issues), out, base_url, templates, progress=_progress)
    for warning in result.warnings:
        click.echo(warning, err=True)
    for slug in result.built:
        _out(f"built {out / slug}/index.html")
    _out(f"archive: {len(result.built)} built, {len(result.unchanged)} unchanged, "
         f"{len(result.removed)} removed -> {out}/index.html, feed.xml, sitemap.xml ({result.base_url})")


@main.command(short_help="Serve a live preview that reloads on save.")
@click.argument("sources", metavar="ISSUE|FOLDER...", nargs=-1, required=True, type=ISSUE_PATH)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on; 0 picks a free one.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback exposes unsent issues (a warning is printed).")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in the default web browser.")
@templates_option(" (also watched)")
@reports_errors
def preview(sources: tuple[Path, ...], port: int, host: str, open_browser: bool, templates: Path | None) -> None:
    """Serve a live preview of issues at http://127.0.0.1:8000/; saving a file reloads it.

    Given a folder or several issues, the page starts with an index of them.
    """
    from .commands.preview import run

    run(list(sources), host, port, templates, open_browser,
        announce=_out, log=lambda message: click.echo(message, err=True))


@main.command(short_help="Write PNGs of an issue (desktop, mobile, dark).")
@click.argument("issue", type=ISSUE_PATH)
@click.option("--out", "out", default="screenshots", show_default=True, type=_NamedPath("screenshots"),
              help="Output folder; the PNGs go to OUT/<slug>/.")
@TEMPLATES
@reports_errors
def screenshot(issue: Path, out: Path, templates: Path | None) -> None:
    """Write PNGs of ISSUE at 600 px, 375 px and in dark mode, with headless Chromium.

    Chromium is found through $NEWSLETTER_CHROMIUM or on PATH (apt-get install -y chromium).
    """
    from .commands.screenshot import run

    for path in run(issue, out, templates, progress=_progress):
        _out(f"wrote {path}")


@main.command(short_help="Send a test, or send an issue to the list once.")
@click.argument("issue", required=False, type=ISSUE_PATH)
@click.option("--test", is_flag=True, help="Send a test ('[TEST] ' subject) to NEWSLETTER_TEST_RECIPIENTS or --to.")
@click.option("--to", "to", metavar="ADDR,...", multiple=True,
              help="Comma-separated test recipients (with --test); may be given more than once.")
@click.option("--schedule", metavar="DATETIME", help="Schedule the list send (ISO 8601 with a time zone).")
@click.option("--now", is_flag=True, help="Send to the list now.")
@click.option("--yes", is_flag=True, help="Confirm a list send without typing the slug.")
@click.option("--dry-run", is_flag=True, help="Print what would be sent and the API calls; send nothing.")
@click.option("--provider", metavar="NAME", help="outbox, smtp, listmonk, mailchimp or brevo "
              "(overrides NEWSLETTER_PROVIDER; default outbox).")
@CHANGED_SINCE
@SUMMARY_FILE
@TEMPLATES
@reports_errors
def send(issue: Path | None, test: bool, to: tuple[str, ...], schedule: str | None, now: bool, yes: bool,
         dry_run: bool, provider: str | None, changed_since: str | None, summary_file: Path | None,
         templates: Path | None) -> None:
    """Build and check ISSUE, then send a test, or send it to the list once (--now / --schedule).

    With --test --changed-since REF instead of ISSUE, test-sends every issue
    added or changed since REF (what CI does on a merge) and prints a table.

    Exit codes: 0 ok (also "already sent"), 1 invalid issue or check error,
    2 usage or configuration error, 3 provider or network failure.
    """
    from .commands.send import SendOptions, run

    _log_to_stderr()
    addresses = [a.strip() for given in to for a in given.split(",") if a.strip()]
    if to and not addresses:  # --to '' or --to ',' fell back to NEWSLETTER_TEST_RECIPIENTS without a word
        raise UsageError(f"--to {','.join(to)!r} names no address: give one, e.g. --to a@x.org, or leave --to out "
                         "to send to NEWSLETTER_TEST_RECIPIENTS")
    options = SendOptions(issue or Path(), test, addresses, schedule, now,
                          yes, dry_run, provider, progress=_progress, templates=templates)
    if changed_since is not None or summary_file is not None or issue is None:
        sys.exit(_send_several(issue, changed_since, options, summary_file))
    confirm = (lambda text: click.prompt(text, default="", show_default=False, err=True)) \
        if sys.stdin.isatty() else None
    code = run(options, confirm=confirm, echo=_say, echo_err=_warn)
    if code:
        sys.exit(code)


@main.command(short_help="List the issue files changed since a git REF.")
@click.argument("ref")
@reports_errors
def changed(ref: str) -> None:
    """Print the issue files added or changed between REF and HEAD (git), one per line.

    The selection --changed-since REF makes; CI uses it to build and screenshot them.
    """
    from .commands.changed import nothing_changed, select

    paths = select([], ref)
    for path in paths:
        _out(str(path))
    if not paths:
        click.echo(nothing_changed(ref, "list"), err=True)


def _progress(items: Any, label: str) -> Any:
    """click's progress bar on stderr for long work, only on a terminal (CI logs and pipes stay clean)."""
    if len(items) < 2 or not sys.stderr.isatty():
        return items
    return _bar(items, label)


def _bar(items: Any, label: str) -> Any:
    with click.progressbar(items, label=label, file=sys.stderr, show_pos=True) as bar:
        yield from bar


@main.command(short_help="Create a new newsletter project in DIR.")
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--name", help="The newsletter's name (asked on a terminal when left out).")
@click.option("--sender-email", metavar="ADDR", help="The From address (asked on a terminal; "
              "default newsletter@example.org).")
@click.option("--postal-address", metavar="TEXT", help="The postal address every email must show "
              "(asked on a terminal; default an example to replace).")
@click.option("--language", metavar="TAG", help="The language of the issues (BCP 47: en, de, pt-BR; "
              "asked on a terminal; default en).")
@reports_errors
def init(directory: Path, name: str | None, sender_email: str | None, postal_address: str | None,
         language: str | None) -> None:
    """Create a new newsletter project in DIR: settings, a starter issue, CI workflow, README.

    Never overwrites a file: when one of them exists in DIR, nothing is written (exit 2).
    """
    from .commands.init import DEFAULT_ADDRESS, DEFAULT_SENDER, Answers, run

    asking = sys.stdin.isatty()
    if name is None and not asking:
        raise click.UsageError('give the newsletter\'s name with --name (e.g. --name "Example Weekly")')
    ask = (lambda text, default: click.prompt(text, default=default, err=True)) if asking else \
        (lambda text, default: default)
    answers = Answers(
        name=name if name is not None else click.prompt("Newsletter name", err=True),
        sender_email=sender_email if sender_email is not None else ask("Sender email", DEFAULT_SENDER),
        postal_address=postal_address if postal_address is not None else ask("Postal address", DEFAULT_ADDRESS),
        language=language if language is not None else ask("Language (en, de, fr...)", "en"),
    )
    run(directory, answers, announce=_out)
    if DEFAULT_SENDER == answers.sender_email or DEFAULT_ADDRESS == answers.postal_address:
        click.echo(f"note: edit {directory / 'newsletter.yaml'}: the sender and postal address are examples "
                   "to replace before the first send", err=True)
    from .i18n import catalogue_for

    if catalogue_for(answers.language) is None:
        click.echo(f"note: {answers.language} has no catalogue: the built-in words (footer, labels) are written in "
                   f"English until you write them under strings: {answers.language}: in newsletter.yaml "
                   "(newsletter check warns, and --strict fails, until then; README 'Languages')", err=True)
    click.echo(f"next: cd {directory} && newsletter preview issues/", err=True)


def _iso_date(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """``--date``: a calendar date written YYYY-MM-DD, refused in words otherwise."""
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else dt.date.fromisoformat("")
    except ValueError:
        # 2027-02-30: the shape is right, the day is not
        shaped = len(value) == 10 and value[4] == value[7] == "-" and value.replace("-", "").isdigit()
        problem = "is not a real date" if shaped else "is not a date written year-month-day"
        raise click.BadParameter(f"{value!r} {problem}: write an existing day like 2027-03-01",
                                 ctx, param) from None


@main.command(short_help="Start the next issue with the latest one's blocks.")
@click.argument("title")
@click.option("--date", "date", callback=_iso_date, metavar="YYYY-MM-DD",
              help="The issue's date (default today); its year and month start the file name.")
@click.option("--from", "source", type=_NamedPath("issues/2024-05-my-issue.yaml", "file", readable=False),
              metavar="ISSUE",
              help="Take the blocks of ISSUE (default: the latest issue in issues/).")
@click.option("--slug", "slug", metavar="NAME",
              help="The file name after the date, in a-z, 0-9 and hyphens (default: the title in Latin "
                   "letters; needed for a title in Chinese or Japanese).")
@reports_errors
def new(title: str, date: Any, source: Path | None, slug: str | None) -> None:
    """Start the issue TITLE: issues/YYYY-MM-<slug>.yaml, with the blocks of the latest issue.

    Its texts are TODO placeholders, which `check` reports until they are replaced.
    """
    from .commands.new import run

    path = run(title, date, source, slug=slug)
    _out(f"wrote {display_path(path)}")
    click.echo("next: replace every TODO in it; `newsletter check` lists those left", err=True)


def _say(line: str) -> None:
    """What a send prints on stdout, redacted (a provider's note may quote its server)."""
    _out(redact_everywhere(line))


def _warn(line: str) -> None:
    click.echo(redact_everywhere(line), err=True)


def _log_to_stderr() -> None:
    """Warnings and above on stderr, one line each, redacted."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_RedactingFormatter("%(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)


def _send_several(issue: Path | None, changed_since: str | None, options: Any, summary_file: Path | None) -> int:
    """``send --test`` of ISSUE or of ``--changed-since REF``: each issue in turn, then a table."""
    from .commands.changed import (nothing_changed, require_one, select, selection_text, send_tests,
                                   validate_test_options)
    from .summary import Summary, text_table

    issues = [issue] if issue is not None else []
    require_one(issues, changed_since, "send")
    validate_test_options(options)  # before git: a list send is refused whatever REF is
    paths = select(issues, changed_since)
    _refuse_summary_over_inputs(summary_file, paths)
    code, rows = send_tests(paths, options, echo=_say, echo_err=_warn)
    summary = Summary("send", rows, selection_text(changed_since))
    if rows:
        _out("")
        _out(text_table(summary))
    else:
        _out(nothing_changed(changed_since or "", "send"))
    if summary_file is not None:
        _publish(summary, summary_file, True)
    return code


def run() -> None:  # pragma: no cover - console entry point
    try:
        main(standalone_mode=True)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

__all__ = ["main", "EXIT_USAGE"]
