"""Alembic, driven from Python: ``flask db upgrade`` and the test fixtures use it."""
from __future__ import annotations

from pathlib import Path

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str):
    from alembic.config import Config  # imported here: every CLI start-up would pay for it
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    from alembic import command
    command.downgrade(alembic_config(url), revision)


def head() -> str:
    """The head revision of ``migrations/``: the schema this code needs."""
    from alembic.script import ScriptDirectory
    return ",".join(sorted(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()))
