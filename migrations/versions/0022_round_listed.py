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
    # Added in place (SQLite can, with a default): a batch copy of the survey table would have
    # to drop the table every answer refers to, which SQLite refuses with foreign keys on.
    op.add_column('survey', sa.Column('listed', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))


def downgrade():
    # In place for the same reason; SQLite drops a column itself since 3.35.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE survey DROP COLUMN listed')
    else:
        op.drop_column('survey', 'listed')
