"""kiosk devices, idle times and the device of each kiosk response

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-22 01:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'kiosk_device',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key_hash'),
    )
    op.create_table(
        'kiosk_setting',
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('idle_seconds', sa.Integer(), nullable=False),
        sa.Column('warning_seconds', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['survey_id'], ['survey.id']),
        sa.PrimaryKeyConstraint('survey_id'),
    )
    op.create_table(
        'kiosk_response',
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('device_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['device_id'], ['kiosk_device.id']),
        sa.ForeignKeyConstraint(['response_id'], ['response.id']),
        sa.PrimaryKeyConstraint('response_id'),
    )
    op.create_index('ix_kiosk_response_device_id', 'kiosk_response', ['device_id'])


def downgrade():
    op.drop_index('ix_kiosk_response_device_id', table_name='kiosk_response')
    op.drop_table('kiosk_response')
    op.drop_table('kiosk_setting')
    op.drop_table('kiosk_device')
