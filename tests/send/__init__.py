"""Tests of ``newsletter send``: config, message, ledger, outbox, SMTP, and the provider contract."""
