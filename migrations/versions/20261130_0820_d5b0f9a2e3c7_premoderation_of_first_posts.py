"""pre-moderation of first posts: a cohort setting; each post's review state (published, pending, rejected) with the
moderator's reason; a thread whose opening post is in review is seen by its author and staff only.

Revision ID: d5b0f9a2e3c7
Revises: c4a9e8f1d2b6
Create Date: 2026-11-30 08:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5b0f9a2e3c7'
down_revision = 'c4a9e8f1d2b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('premoderate_first_posts', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('discussion_threads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('in_review', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('discussion_posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_state', sa.String(length=16), nullable=False,
                                      server_default='published'))
        batch_op.add_column(sa.Column('review_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_discussion_posts_reviewed_by_id_users'), 'users',
                                    ['reviewed_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(batch_op.f('ck_discussion_posts_review_state_known'),
                                         "review_state IN ('published', 'pending', 'rejected')")
        batch_op.create_index(batch_op.f('ix_discussion_posts_review_state'), ['review_state'], unique=False)
    # The defaults were for the rows already there; the models give every new row its values.
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.alter_column('premoderate_first_posts', server_default=None)
    with op.batch_alter_table('discussion_threads', schema=None) as batch_op:
        batch_op.alter_column('in_review', server_default=None)
    with op.batch_alter_table('discussion_posts', schema=None) as batch_op:
        batch_op.alter_column('review_state', server_default=None)
        batch_op.alter_column('review_reason', server_default=None)


def downgrade():
    # Posts still waiting or rejected were never published: they leave with the feature rather than appear.
    op.execute("DELETE FROM discussion_threads WHERE in_review")
    op.execute("DELETE FROM discussion_posts WHERE review_state <> 'published'")
    with op.batch_alter_table('discussion_posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discussion_posts_review_state'))
        batch_op.drop_constraint(batch_op.f('ck_discussion_posts_review_state_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_discussion_posts_reviewed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('reviewed_by_id')
        batch_op.drop_column('review_reason')
        batch_op.drop_column('review_state')
    with op.batch_alter_table('discussion_threads', schema=None) as batch_op:
        batch_op.drop_column('in_review')
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.drop_column('premoderate_first_posts')
