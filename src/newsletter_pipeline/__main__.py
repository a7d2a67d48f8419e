"""``python -m newsletter_pipeline``: the ``newsletter`` command, for when the console script is not on PATH."""

from .cli import main

main()
