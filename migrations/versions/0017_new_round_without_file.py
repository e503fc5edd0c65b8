"""new round without a file: a definition awaiting publication may come from a template or an
earlier round, with the round's dates

``based_on`` names the earlier round it was copied from (its population table is copied on
publishing, and the check page compares with it); ``opens_at``/``closes_at`` become the new
round's dates when it is published.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 23:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_pending_definition') as batch_op:
        batch_op.add_column(sa.Column('based_on', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('opens_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('closes_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('staff_pending_definition') as batch_op:
        batch_op.drop_column('closes_at')
        batch_op.drop_column('opens_at')
        batch_op.drop_column('based_on')
