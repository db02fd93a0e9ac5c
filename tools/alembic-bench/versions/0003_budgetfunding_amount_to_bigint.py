"""budgetfunding_amount_to_bigint: runs migrations/20250603000000_budgetfunding_amount_to_bigint/{up,down}.sql of the repository.

Revision ID: 0003
Revises: 0002
"""

import os
from pathlib import Path

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MIGRATIONS_DIR = Path(
    os.environ.get("NZC_BENCH_MIGRATIONS_DIR")
    or Path(__file__).resolve().parents[3] / "migrations"
)
MIGRATION = MIGRATIONS_DIR / "20250603000000_budgetfunding_amount_to_bigint"


def upgrade() -> None:
    op.execute((MIGRATION / "up.sql").read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute((MIGRATION / "down.sql").read_text(encoding="utf-8"))
