"""What a rule reports: located findings, gathered into one report."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..errors import Diagnostic, Location, one_line

LEVELS = ("error", "warning")


@dataclass(frozen=True)
class Finding:
    """One problem found by a rule, at the source line that caused it."""

    rule: str
    level: str  # "error" | "warning"
    location: Location
    message: str

    def __str__(self) -> str:
        return one_line(f"{self.location}: {self.level}: {self.rule}: {self.message}")  # one line per finding

    def as_dict(self) -> dict[str, object]:
        return {"rule": self.rule, "level": self.level, "file": self.location.file,
                "line": self.location.line, "col": self.location.col, "message": self.message}

    def as_diagnostic(self) -> Diagnostic:
        return Diagnostic(self.location, f"{self.rule}: {self.message}", level=self.level)

    def with_level(self, level: str) -> Finding:
        return replace(self, level=level)


def sort_key(finding: Finding) -> tuple[str, int, int, str, str]:
    loc = finding.location
    return (loc.file, loc.line, loc.col, finding.rule, finding.message)


@dataclass
class CheckReport:
    """Every finding of one issue, sorted by location."""

    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warning"]

    def failed(self, strict: bool = False) -> bool:
        """Errors always fail; warnings fail only under ``--strict``."""
        return bool(self.errors or (strict and self.warnings))


def unique(findings: list[Finding]) -> list[Finding]:
    """Sorted, each distinct finding once (a URL used twice is one thing to fix)."""
    return sorted(set(findings), key=sort_key)
