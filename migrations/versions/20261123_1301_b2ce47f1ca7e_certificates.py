"""certificates

Revision ID: b2ce47f1ca7e
Revises: a1c0h0r75001
Create Date: 2026-11-23 13:01:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2ce47f1ca7e'
down_revision = 'a1c0h0r75001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
