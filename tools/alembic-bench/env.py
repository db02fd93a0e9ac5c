"""Alembic environment of the nzc migration benchmark (benches/migrate.rs).

Like `nzc migrate`, every revision runs in its own transaction together with
its version-table update (`transaction_per_migration=True`); no logging setup,
so a run prints nothing.
"""

import os

from alembic import context
from sqlalchemy import create_engine, pool

config = context.config
url = os.environ.get("NZC_BENCH_DATABASE_URL") or config.get_main_option("sqlalchemy.url")


def run_migrations_offline() -> None:
    context.configure(url=url, literal_binds=True, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
