"""staff area: login throttling and definitions awaiting publication

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 00:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'staff_failed_login',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_staff_failed_login_account_at', 'staff_failed_login',
                    ['account', 'at'], unique=False)
    op.create_table(
        'staff_pending_definition',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('definition', sa.JSON(), nullable=False),
        sa.Column('unsupported', sa.JSON(), nullable=False),
        sa.Column('uploaded_by', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['uploaded_by'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade():
    op.drop_table('staff_pending_definition')
    op.drop_index('ix_staff_failed_login_account_at', table_name='staff_failed_login')
    op.drop_table('staff_failed_login')
