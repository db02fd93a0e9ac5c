"""init: runs migrations/20250601000000_init/{up,down}.sql of the repository.

Revision ID: 0001
Revises: 
"""

import os
from pathlib import Path

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

MIGRATIONS_DIR = Path(
    os.environ.get("NZC_BENCH_MIGRATIONS_DIR")
    or Path(__file__).resolve().parents[3] / "migrations"
)
MIGRATION = MIGRATIONS_DIR / "20250601000000_init"


def upgrade() -> None:
    op.execute((MIGRATION / "up.sql").read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute((MIGRATION / "down.sql").read_text(encoding="utf-8"))
