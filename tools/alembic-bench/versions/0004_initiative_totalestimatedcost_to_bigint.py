"""initiative_totalestimatedcost_to_bigint: runs migrations/20250604000000_initiative_totalestimatedcost_to_bigint/{up,down}.sql of the repository.

Revision ID: 0004
Revises: 0003
"""

import os
from pathlib import Path

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

MIGRATIONS_DIR = Path(
    os.environ.get("NZC_BENCH_MIGRATIONS_DIR")
    or Path(__file__).resolve().parents[3] / "migrations"
)
MIGRATION = MIGRATIONS_DIR / "20250604000000_initiative_totalestimatedcost_to_bigint"


def upgrade() -> None:
    op.execute((MIGRATION / "up.sql").read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute((MIGRATION / "down.sql").read_text(encoding="utf-8"))
