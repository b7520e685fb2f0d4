"""threads by place: an index over (course_id, place, item_key), so that a lesson page's count of the lesson's
threads (and the board filtered to a place) does not read every thread of the course.

Revision ID: f3d8b2c6a1e9
Revises: e7c1a4b9d2f6
Create Date: 2026-11-30 13:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f3d8b2c6a1e9'
down_revision = 'e7c1a4b9d2f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('discussion_threads', schema=None) as batch_op:
        batch_op.create_index('ix_discussion_threads_place', ['course_id', 'place', 'item_key'], unique=False)


def downgrade():
    with op.batch_alter_table('discussion_threads', schema=None) as batch_op:
        batch_op.drop_index('ix_discussion_threads_place')
