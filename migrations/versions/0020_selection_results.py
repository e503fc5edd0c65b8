"""dashboard selections: stored results per round and selection (women, one area, one age
group), not only of everyone; the table is a cache, so it is made anew, empty

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 23:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def _create(with_selection: bool) -> None:
    columns = [sa.Column('survey_id', sa.Integer(), nullable=False)]
    if with_selection:
        columns.append(sa.Column('selection', sa.String(length=200), nullable=False,
                                 server_default=''))
    op.create_table(
        'dashboard_result',
        *columns,
        sa.Column('data_version', sa.String(length=64), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.Column('payload', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['survey_id'], ['survey.id']),
        sa.PrimaryKeyConstraint('survey_id', *(['selection'] if with_selection else [])),
    )


def upgrade():
    # Results are recomputed on the next view; a new primary key is simplest as a new table.
    op.drop_table('dashboard_result')
    _create(with_selection=True)


def downgrade():
    op.drop_table('dashboard_result')
    _create(with_selection=False)
