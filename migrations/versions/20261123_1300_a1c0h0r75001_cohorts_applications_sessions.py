"""cohorts, applications, live sessions and attendance

Revision ID: a1c0h0r75001
Revises: 96d430dc2690
Create Date: 2026-11-23 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c0h0r75001'
down_revision = '96d430dc2690'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
