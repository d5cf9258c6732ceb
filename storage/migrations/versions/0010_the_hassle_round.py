"""the bøvl round (step 2): rounds, items, sealed ballots, participants

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hassle_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("collect_until", sa.DateTime(), nullable=False),
        sa.Column("vote_until", sa.DateTime(), nullable=True),
        sa.Column("dots", sa.Integer(), nullable=False),
        sa.Column("stacking", sa.Boolean(), nullable=False),
        sa.Column("started_by_member_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("voting_opened_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("board_key", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "phase IN ('collecting', 'voting', 'closed')", name=op.f("ck_hassle_rounds_phase_kind")
        ),
        sa.CheckConstraint("dots BETWEEN 1 AND 10", name=op.f("ck_hassle_rounds_dots_range")),
        sa.ForeignKeyConstraint(
            ["process_id"],
            ["processes.id"],
            name=op.f("fk_hassle_rounds_process_id_processes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["started_by_member_id"],
            ["members.id"],
            name=op.f("fk_hassle_rounds_started_by_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hassle_rounds")),
    )
    with op.batch_alter_table("hassle_rounds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hassle_rounds_process_id"), ["process_id"], unique=False
        )

    op.create_table(
        "hassle_ballots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("voter", sa.String(length=64), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["hassle_rounds.id"],
            name=op.f("fk_hassle_ballots_round_id_hassle_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hassle_ballots")),
        sa.UniqueConstraint("round_id", "voter", name=op.f("uq_hassle_ballots_round_id_voter")),
    )
    op.create_table(
        "hassle_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("author_member_id", sa.Integer(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("shown_at", sa.DateTime(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("out_of_scope_reason", sa.Text(), nullable=True),
        sa.Column("supports", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_note", sa.Text(), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(), nullable=True),
        sa.Column("chosen", sa.Boolean(), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('received', 'considered', 'used', 'not_used')",
            name=op.f("ck_hassle_items_status_kind"),
        ),
        sa.CheckConstraint("supports >= 0", name=op.f("ck_hassle_items_supports_not_negative")),
        sa.ForeignKeyConstraint(
            ["author_member_id"],
            ["members.id"],
            name=op.f("fk_hassle_items_author_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["hassle_items.id"],
            name=op.f("fk_hassle_items_merged_into_id_hassle_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["hassle_rounds.id"],
            name=op.f("fk_hassle_items_round_id_hassle_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["tracks.id"],
            name=op.f("fk_hassle_items_track_id_tracks"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hassle_items")),
        sa.UniqueConstraint(
            "round_id", "reference", name=op.f("uq_hassle_items_round_id_reference")
        ),
    )
    with op.batch_alter_table("hassle_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hassle_items_round_id"), ["round_id"], unique=False)

    op.create_table(
        "hassle_participants",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("asked", sa.Boolean(), nullable=False),
        sa.Column("added", sa.Boolean(), nullable=False),
        sa.Column("supported", sa.Boolean(), nullable=False),
        sa.Column("asked_at", sa.DateTime(), nullable=True),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.Column("next_reminder_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_hassle_participants_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["hassle_rounds.id"],
            name=op.f("fk_hassle_participants_round_id_hassle_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", "member_id", name=op.f("pk_hassle_participants")),
    )


def downgrade() -> None:
    op.drop_table("hassle_participants")
    with op.batch_alter_table("hassle_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hassle_items_round_id"))

    op.drop_table("hassle_items")
    op.drop_table("hassle_ballots")
    with op.batch_alter_table("hassle_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hassle_rounds_process_id"))

    op.drop_table("hassle_rounds")
