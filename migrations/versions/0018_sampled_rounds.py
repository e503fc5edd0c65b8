"""sampled rounds: strata, sample members with codes and dispositions, letter waves

The stratum of a response given with a code is kept on the response; the link from a
sample member to its response (and the code hash) is deleted when the round closes, the
address lines and printable code when the letters are done (docs/sampling.md).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 23:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sample_stratum',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('survey_id', sa.Integer(), sa.ForeignKey('survey.id'), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('population', sa.Integer(), nullable=False),
        sa.UniqueConstraint('survey_id', 'name'),
    )
    op.create_index('ix_sample_stratum_survey_id', 'sample_stratum', ['survey_id'])
    op.create_table(
        'sample_member',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('survey_id', sa.Integer(), sa.ForeignKey('survey.id'), nullable=False),
        sa.Column('sample_ref', sa.String(length=64), nullable=False),
        sa.Column('stratum', sa.String(length=120), nullable=False),
        sa.Column('age_band', sa.String(length=32), nullable=True),
        sa.Column('gender', sa.String(length=32), nullable=True),
        sa.Column('area', sa.String(length=120), nullable=True),
        sa.Column('address', sa.JSON(), nullable=True),
        sa.Column('code', sa.String(length=8), nullable=True),
        sa.Column('code_hash', sa.String(length=64), nullable=True, unique=True),
        sa.Column('response_id', sa.Integer(), sa.ForeignKey('response.id'), nullable=True),
        sa.Column('disposition', sa.String(length=16), nullable=False),
        sa.Column('letters', sa.Integer(), nullable=False),
        sa.Column('last_wave', sa.String(length=16), nullable=True),
        sa.UniqueConstraint('survey_id', 'sample_ref'),
    )
    op.create_index('ix_sample_member_survey_disposition', 'sample_member',
                    ['survey_id', 'disposition'])
    op.create_table(
        'sample_wave',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('survey_id', sa.Integer(), sa.ForeignKey('survey.id'), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=255), nullable=True),
        sa.Column('letters', sa.Integer(), nullable=False),
    )
    op.create_index('ix_sample_wave_survey_id', 'sample_wave', ['survey_id'])
    with op.batch_alter_table('response') as batch_op:
        batch_op.add_column(sa.Column('sample_stratum', sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table('response') as batch_op:
        batch_op.drop_column('sample_stratum')
    op.drop_index('ix_sample_wave_survey_id', table_name='sample_wave')
    op.drop_table('sample_wave')
    op.drop_index('ix_sample_member_survey_disposition', table_name='sample_member')
    op.drop_table('sample_member')
    op.drop_index('ix_sample_stratum_survey_id', table_name='sample_stratum')
    op.drop_table('sample_stratum')
