"""string review: review state and comment per translated string

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 20:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'string_review',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=80), nullable=False),
        sa.Column('lang', sa.String(length=8), nullable=False),
        sa.Column('key', sa.Text(), nullable=False),
        sa.Column('key_digest', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('source_digest', sa.String(length=64), nullable=False),
        sa.Column('target_digest', sa.String(length=64), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('updated_by', sa.String(length=255), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('scope', 'lang', 'key_digest'),
    )


def downgrade():
    op.drop_table('string_review')
