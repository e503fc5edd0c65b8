"""rounds meant for residents: whether an open round is listed on the residents' start page

A test round, or one handed out only by its own link (a school, one association), stays open
without being offered to every resident who comes to the start page.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 23:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey') as batch_op:
        batch_op.add_column(sa.Column('listed', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))


def downgrade():
    with op.batch_alter_table('survey') as batch_op:
        batch_op.drop_column('listed')
