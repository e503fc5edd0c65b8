"""dashboard cold start: the analysed fields of each complete response, and results shared
by every app server

``response_fact`` is filled here for the responses already stored, coded with the current
version of each survey (``flask results rebuild`` does the same later, if ever needed).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 20:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'response_fact',
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('layout', sa.String(length=16), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('age_band', sa.String(length=64), nullable=True),
        sa.Column('gender', sa.String(length=64), nullable=True),
        sa.Column('area', sa.String(length=64), nullable=True),
        sa.Column('codes', sa.Text(), nullable=False),
        sa.Column('priorities', sa.Text(), nullable=False),
        sa.Column('excluded', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['response_id'], ['response.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['survey_id'], ['survey.id']),
        sa.PrimaryKeyConstraint('response_id'),
    )
    op.create_index('ix_response_fact_survey', 'response_fact',
                    ['survey_id', 'excluded', 'response_id'])
    op.create_table(
        'dashboard_result',
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('data_version', sa.String(length=64), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.Column('payload', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['survey_id'], ['survey.id']),
        sa.PrimaryKeyConstraint('survey_id'),
    )
    # The app's own coding, so that the rows are exactly what completing a response writes.
    from dialog.services.results.facts import rebuild

    rebuild(op.get_bind())


def downgrade():
    op.drop_table('dashboard_result')
    op.drop_index('ix_response_fact_survey', table_name='response_fact')
    op.drop_table('response_fact')
