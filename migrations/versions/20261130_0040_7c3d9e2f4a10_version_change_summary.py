"""version change summary: what publishing each version changed (its diff against the version it replaced), kept
for the history on the author's version page.

Revision ID: 7c3d9e2f4a10
Revises: 7a3c1e5d9b20
Create Date: 2026-11-30 00:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3d9e2f4a10'
down_revision = '7a3c1e5d9b20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_summary', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('course_versions', schema=None) as batch_op:
        batch_op.drop_column('change_summary')
