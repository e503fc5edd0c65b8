"""free-text review marks of texts inside a place question's marks

The reviewed mark names its text as ``<question>.<n>.<key>`` when the text is the street or
landmark of a place mark or one of its free-text follow-ups: two ids of up to 40 characters
and a mark number need more than the 64 characters a question id needed.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 02:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    # A batch copy of free_text_review only: no other table refers to it.
    with op.batch_alter_table('free_text_review') as batch_op:
        batch_op.alter_column('field', existing_type=sa.String(length=64),
                              type_=sa.String(length=100), existing_nullable=False)


def downgrade():
    # Marks that no longer fit are only "reviewed" marks, of texts the older version does not
    # list: dropping them loses no answer.
    op.execute("DELETE FROM free_text_review WHERE LENGTH(field) > 64")
    with op.batch_alter_table('free_text_review') as batch_op:
        batch_op.alter_column('field', existing_type=sa.String(length=100),
                              type_=sa.String(length=64), existing_nullable=False)
