"""The issue format: schema (pydantic), records (the objects a build reads), located YAML loading and validation."""

from .load import LoadedIssue, load_issue
from .records import Issue, Settings

__all__ = ["Issue", "LoadedIssue", "Settings", "load_issue"]
