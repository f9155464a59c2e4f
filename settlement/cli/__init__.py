"""``flask`` commands registered on the app (Flask tutorial style)."""
from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from settlement.cli import admin, batch
    for group in admin.GROUPS + batch.COMMANDS:
        app.cli.add_command(group)
