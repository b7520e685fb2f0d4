"""posts by author and review state: one index over (author_id, review_state) replaces the author's alone, so that
"this person's published posts" (what they contributed, on every lesson page) searches their posts, not every
published post (SQLite chose the review state's index).

Revision ID: e7c1a4b9d2f6
Revises: d5b0f9a2e3c7
Create Date: 2026-11-30 13:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e7c1a4b9d2f6'
down_revision = 'd5b0f9a2e3c7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('discussion_posts', schema=None) as batch_op:
        batch_op.create_index('ix_discussion_posts_author_review', ['author_id', 'review_state'], unique=False)
        batch_op.drop_index(batch_op.f('ix_discussion_posts_author_id'))


def downgrade():
    with op.batch_alter_table('discussion_posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discussion_posts_author_id'), ['author_id'], unique=False)
        batch_op.drop_index('ix_discussion_posts_author_review')
