"""kiosk registration codes: a one-time code exchanged for the device key

The device key used to travel in the link staff opened on the kiosk (browser history, proxy
logs). Staff now get a short-lived code, stored as sha256 like the key, and the kiosk
computer exchanges it once for the key in a cookie.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 21:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('kiosk_device') as batch_op:
        batch_op.add_column(sa.Column('code_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('code_expires_at', sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint('uq_kiosk_device_code_hash', ['code_hash'])


def downgrade():
    with op.batch_alter_table('kiosk_device') as batch_op:
        batch_op.drop_constraint('uq_kiosk_device_code_hash', type_='unique')
        batch_op.drop_column('code_expires_at')
        batch_op.drop_column('code_hash')
