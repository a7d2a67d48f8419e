"""Quality checks on a rendered issue: one small rule per module, one report.

``run_checks`` is the single entry point used by ``check``, ``build``,
``send`` and ``preview``.
"""

from __future__ import annotations

from .findings import CheckReport, Finding
from .report import run_checks

__all__ = ["CheckReport", "Finding", "run_checks"]
