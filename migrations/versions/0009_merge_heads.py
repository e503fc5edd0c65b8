"""one history: merge the feature branches 0003, 0004, 0005 and 0008

The staff-area, dashboard-promise, kiosk and retention tables were added on branches of
their own from 0002. This revision joins them so there is one head; later migrations
follow it in a line.

Revision ID: 0009
Revises: 0003, 0004, 0005, 0008
Create Date: 2026-12-01 19:50:00

"""

revision = '0009'
down_revision = ('0003', '0004', '0005', '0008')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
