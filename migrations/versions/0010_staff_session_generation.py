"""staff sessions that can be ended: a per-account session generation

The staff session cookie carries the generation it was issued for; sign-out, a new password
and deactivation raise it, which ends every earlier session of the account on every server.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 20:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade():
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.drop_column('session_generation')
