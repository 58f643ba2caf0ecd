"""Alembic migrations. `forewarn db upgrade` (or migrations.upgrade(url)) applies them."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

HERE = Path(__file__).resolve().parent


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    from core.adapters.db import normalize_url

    command.upgrade(alembic_config(normalize_url(url)), revision)
