"""``flask`` commands registered on the app (Flask tutorial style)."""
from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from settlement.cli import admin, batch
    for group in admin.GROUPS + batch.COMMANDS:
        app.cli.add_command(group)


def main() -> None:
    """The ``settlement`` console script: the flask commands without FLASK_APP or a working directory
    (cron: ``/srv/settlement/.venv/bin/settlement reconcile --month 2026-11``)."""
    from flask.cli import FlaskGroup

    from settlement import create_app
    FlaskGroup(create_app=create_app, help="Contract settlement and invoicing service.").main(prog_name="settlement")
