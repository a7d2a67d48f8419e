"""One module per CLI verb: orchestration only. ``cli.py`` imports them lazily."""
