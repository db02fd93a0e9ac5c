"""add_misc_to_17_tables: runs migrations/20250602000000_add_misc_to_17_tables/{up,down}.sql of the repository.

Revision ID: 0002
Revises: 0001
"""

import os
from pathlib import Path

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MIGRATIONS_DIR = Path(
    os.environ.get("NZC_BENCH_MIGRATIONS_DIR")
    or Path(__file__).resolve().parents[3] / "migrations"
)
MIGRATION = MIGRATIONS_DIR / "20250602000000_add_misc_to_17_tables"


def upgrade() -> None:
    op.execute((MIGRATION / "up.sql").read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute((MIGRATION / "down.sql").read_text(encoding="utf-8"))
