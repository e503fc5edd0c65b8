"""retention keeps the sample stratum of a sampled round's purged answers, and whole
multiple-choice answers

A sampled round's figures are weighted by stratum: counts kept without it would drop the
purged answers out of the figures. A key figure counts whoever chose any of several codes,
so a multiple-choice answer is kept whole (its codes joined), which needs a longer code.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 02:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    # A batch copy of retained_count only: no other table refers to it. Counts kept before
    # this have no stratum and one code a row, as before.
    with op.batch_alter_table('retained_count') as batch_op:
        batch_op.add_column(sa.Column('stratum', sa.String(length=120), nullable=True))
        batch_op.alter_column('code', existing_type=sa.String(length=128), type_=sa.Text(),
                              existing_nullable=False)


def downgrade():
    # Whole answers that no longer fit are cut, as codes were before.
    op.execute("UPDATE retained_count SET code = SUBSTR(code, 1, 128) "
               "WHERE LENGTH(code) > 128")
    with op.batch_alter_table('retained_count') as batch_op:
        batch_op.alter_column('code', existing_type=sa.Text(), type_=sa.String(length=128),
                              existing_nullable=False)
        batch_op.drop_column('stratum')
