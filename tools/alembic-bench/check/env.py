"""Alembic environment of `alembic check` in the drift benchmark (benches/drift.rs).

`target_metadata` is the SQLAlchemy declarative models of schema.nzc
(`tools/alembic-bench/models.py`); `alembic check` reflects the live database
and runs autogenerate's comparison against them: tables, columns, types
(`compare_type`), nullability, server defaults (`compare_server_default`),
unique constraints, indexes, foreign keys and comments. No logging setup, so
a run prints only alembic's verdict.
"""

import os
import sys
from pathlib import Path

from alembic import context
from sqlalchemy import create_engine, pool

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models import metadata  # noqa: E402

config = context.config
url = os.environ.get("NZC_BENCH_DATABASE_URL") or config.get_main_option("sqlalchemy.url")


def run_migrations_offline() -> None:
    context.configure(
        url=url,
        target_metadata=metadata,
        literal_binds=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            compare_type=True,
            compare_server_default=True,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
