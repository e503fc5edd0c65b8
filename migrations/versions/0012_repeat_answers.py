"""likely repeat answers: a short-lived client tag per response and the day's salt

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-01 20:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('response') as batch_op:
        batch_op.add_column(sa.Column('client_tag', sa.String(length=32), nullable=True))
    op.create_table(
        'client_salt',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('salt', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('day'),
    )


def downgrade():
    op.drop_table('client_salt')
    with op.batch_alter_table('response') as batch_op:
        batch_op.drop_column('client_tag')
