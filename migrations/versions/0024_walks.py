"""trygghetsvandringar: walks, their stops, observations (which can become measures) and
photos

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 02:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'walk',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('area', sa.String(length=200), nullable=False),
        sa.Column('participants', sa.Text(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=True),
        sa.Column('created_by', sa.String(length=255), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['survey_id'], ['survey.id']),
        sa.PrimaryKeyConstraint('id'))
    op.create_table(
        'walk_stop',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('walk_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('label', sa.String(length=300), nullable=False),
        sa.Column('lat', sa.Float(), nullable=True),
        sa.Column('lon', sa.Float(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['walk_id'], ['walk.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_walk_stop_walk_id', 'walk_stop', ['walk_id'])
    op.create_table(
        'walk_observation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stop_id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=16), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('measure_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['stop_id'], ['walk_stop.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_walk_observation_stop_id', 'walk_observation', ['stop_id'])
    op.create_index('ix_walk_observation_measure_id', 'walk_observation', ['measure_id'])
    op.create_table(
        'walk_photo',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stop_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=64), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.String(length=255), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['stop_id'], ['walk_stop.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('filename'))
    op.create_index('ix_walk_photo_stop_id', 'walk_photo', ['stop_id'])


def downgrade():
    # The photo files stay in WALK_PHOTO_DIR: removing them is the operator's decision.
    op.drop_table('walk_photo')
    op.drop_table('walk_observation')
    op.drop_table('walk_stop')
    op.drop_table('walk')
