"""lägesbild: indicator series from other sources, their figures, the monthly lägesbild,
and the organisation (kommun or polis) of a staff account, which approves for it

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 23:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'indicator_series',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('label', sa.JSON(), nullable=False),
        sa.Column('category', sa.String(length=32), nullable=False),
        sa.Column('unit', sa.String(length=32), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('rise_is_bad', sa.Boolean(), nullable=False),
        sa.Column('sensitive', sa.Boolean(), nullable=False),
        sa.Column('show_areas', sa.Boolean(), nullable=False),
        sa.Column('per_year', sa.Integer(), nullable=True),
        sa.Column('demo', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
    )
    op.create_table(
        'indicator_measurement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('series_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('area', sa.String(length=128), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.Column('imported_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['series_id'], ['indicator_series.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('series_id', 'period', 'area'),
    )
    op.create_table(
        'lagesbild',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.Column('figures_built_at', sa.DateTime(), nullable=True),
        sa.Column('texts', sa.JSON(), nullable=False),
        sa.Column('problems', sa.JSON(), nullable=False),
        sa.Column('correction_reason', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=255), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('approved_kommun_by', sa.String(length=255), nullable=True),
        sa.Column('approved_kommun_at', sa.DateTime(), nullable=True),
        sa.Column('approved_polis_by', sa.String(length=255), nullable=True),
        sa.Column('approved_polis_at', sa.DateTime(), nullable=True),
        sa.Column('published_at', sa.DateTime(), nullable=True),
        sa.Column('published_by', sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('period', 'version'),
    )
    op.create_index('ix_lagesbild_status_period', 'lagesbild', ['status', 'period'])
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.add_column(sa.Column('organisation', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.drop_column('organisation')
    op.drop_index('ix_lagesbild_status_period', table_name='lagesbild')
    op.drop_table('lagesbild')
    op.drop_table('indicator_measurement')
    op.drop_table('indicator_series')
