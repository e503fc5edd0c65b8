"""dashboard population tables and medborgarlöften

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-22 00:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'population_table',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.Column('rows', sa.JSON(), nullable=False),
        sa.Column('uploaded_by', sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(['survey_id'], ['survey.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_population_table_survey_id', 'population_table', ['survey_id'])
    op.create_table(
        'promise',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.JSON(), nullable=False),
        sa.Column('period_start', sa.Integer(), nullable=False),
        sa.Column('period_end', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('focus', sa.JSON(), nullable=False),
        sa.Column('signatories', sa.JSON(), nullable=False),
        sa.Column('signed_on', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['survey_id'], ['survey.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('survey_id'),
    )


def downgrade():
    op.drop_table('promise')
    op.drop_index('ix_population_table_survey_id', table_name='population_table')
    op.drop_table('population_table')
