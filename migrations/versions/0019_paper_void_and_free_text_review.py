"""paper entry voiding and free-text review marks

A mis-keyed paper questionnaire is voided, not deleted: the response is excluded like a
likely repeat answer and keeps the reason staff gave. Free-text answers get a reviewed mark
(who and when) per response and question, so staff can work through the unreviewed ones.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 23:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('response') as batch_op:
        batch_op.add_column(sa.Column('void_reason', sa.Text(), nullable=True))
    op.create_table(
        'free_text_review',
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=64), nullable=False),
        sa.Column('reviewed_by', sa.String(length=255), nullable=False),
        sa.Column('reviewed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['response_id'], ['response.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('response_id', 'field'),
    )


def downgrade():
    op.drop_table('free_text_review')
    with op.batch_alter_table('response') as batch_op:
        batch_op.drop_column('void_reason')
