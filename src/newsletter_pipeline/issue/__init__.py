"""The issue format: schema, located YAML loading and validation."""

from .load import LoadedIssue, load_issue
from .records import Issue, Settings

__all__ = ["Issue", "LoadedIssue", "Settings", "load_issue"]
