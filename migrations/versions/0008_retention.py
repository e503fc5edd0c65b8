"""retention: aggregated counts kept when raw responses are purged

Revision ID: 0008
Revises: 0002
Create Date: 2026-11-22 01:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'retention_snapshot',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('taken_at', sa.DateTime(), nullable=False),
        sa.Column('cutoff', sa.DateTime(), nullable=False),
        sa.Column('complete_count', sa.Integer(), nullable=False),
        sa.Column('partial_count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['version_id'], ['survey_version.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'retained_count',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('snapshot_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=128), nullable=False),
        sa.Column('code', sa.String(length=128), nullable=False),
        sa.Column('age_band', sa.String(length=64), nullable=True),
        sa.Column('gender', sa.String(length=64), nullable=True),
        sa.Column('area', sa.String(length=64), nullable=True),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['snapshot_id'], ['retention_snapshot.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_retained_count_snapshot', 'retained_count', ['snapshot_id'])


def downgrade():
    op.drop_index('ix_retained_count_snapshot', table_name='retained_count')
    op.drop_table('retained_count')
    op.drop_table('retention_snapshot')
