"""the "Hvor er vi?" canvas of a process's channel: due, claimed, or unavailable

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "status_canvases",
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("canvas_id", sa.String(length=100), nullable=True),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("synced_changes", sa.Integer(), nullable=False),
        sa.Column("edited_at", sa.DateTime(), nullable=True),
        sa.Column("section_digests", sa.String(length=400), nullable=True),
        sa.Column("next_try_at", sa.DateTime(), nullable=True),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("unavailable", sa.String(length=100), nullable=True),
        sa.Column("unavailable_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["process_id"],
            ["processes.id"],
            name=op.f("fk_status_canvases_process_id_processes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("process_id", name=op.f("pk_status_canvases")),
    )
    # The active processes of an existing installation get their canvas at the next start.
    op.execute(
        "INSERT INTO status_canvases (process_id, changes, synced_changes) "
        "SELECT id, 1, 0 FROM processes WHERE status = 'active'"
    )


def downgrade() -> None:
    op.drop_table("status_canvases")
