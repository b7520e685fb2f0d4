"""reply counts of readable posts: a thread's reply_count counts the replies and comments neither removed by their
author nor hidden by staff (lms.core.discussions.counts_as_reply); it counted every reply ever written.

Revision ID: b7e1d2c3a4f5
Revises: 6a2898078452
Create Date: 2026-11-30 07:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7e1d2c3a4f5'
down_revision = '6a2898078452'
branch_labels = None
depends_on = None

_RECOUNT = """
UPDATE discussion_threads SET reply_count = (
    SELECT count(*) FROM discussion_posts
    WHERE discussion_posts.thread_id = discussion_threads.id AND NOT discussion_posts.is_opening {readable})
"""


def upgrade():
    op.execute(_RECOUNT.format(readable="AND discussion_posts.deleted_at IS NULL AND discussion_posts.hidden_at IS NULL"))


def downgrade():
    op.execute(_RECOUNT.format(readable=""))
