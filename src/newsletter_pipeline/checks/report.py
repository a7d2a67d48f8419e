"""The check report and the rule runner."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..errors import Diagnostic, Location
from ..issue.load import LoadedIssue
from ..models import GMAIL_CLIP_BYTES, SIZE_WARNING_BYTES, RenderedIssue


@dataclass(frozen=True)
class Finding:
    """One problem found by a rule."""

    rule: str
    level: str  # "error" | "warning"
    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.level}: {self.rule}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"rule": self.rule, "level": self.level, "file": self.location.file,
                "line": self.location.line, "col": self.location.col, "message": self.message}

    def as_diagnostic(self) -> Diagnostic:
        return Diagnostic(self.location, f"{self.rule}: {self.message}", level=self.level)


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warning"]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))


Rule = Callable[[LoadedIssue, RenderedIssue], Iterable[Finding]]


def gmail_clipping(loaded: LoadedIssue, rendered: RenderedIssue) -> Iterable[Finding]:
    """Gmail hides everything after ~102 KB of HTML behind "View entire message"."""
    size = rendered.html_bytes
    where = Location(loaded.doc.file, 1, 1)
    if size > GMAIL_CLIP_BYTES:
        yield Finding("gmail-clipping", "error", where,
                      f"the HTML is {size:,} bytes; Gmail clips over {GMAIL_CLIP_BYTES:,} (shorten the issue)")
    elif size > SIZE_WARNING_BYTES:
        yield Finding("gmail-clipping", "warning", where,
                      f"the HTML is {size:,} bytes, close to Gmail's {GMAIL_CLIP_BYTES:,}-byte clip")


RULES: list[Rule] = [gmail_clipping]


def run_checks(loaded: LoadedIssue, rendered: RenderedIssue, check_links: bool = False) -> CheckReport:
    """Run every rule; findings are sorted by location."""
    findings = [finding for rule in RULES for finding in rule(loaded, rendered)]
    findings.sort(key=lambda f: (f.location.file, f.location.line, f.location.col, f.rule))
    return CheckReport(findings)
