"""newsletter-pipeline: structured newsletter issues to client-safe email."""

__version__ = "0.1.0"
