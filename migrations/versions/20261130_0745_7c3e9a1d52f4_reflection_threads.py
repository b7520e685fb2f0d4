"""reflection threads: a lesson's reflection question has a discussion thread of kind 'reflection', one per lesson
per space (a cohort's, or the course's own), whose replies are the learners' answers.

Revision ID: 7c3e9a1d52f4
Revises: 4d8a6f1c3b57
Create Date: 2026-11-30 07:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3e9a1d52f4'
down_revision = '4d8a6f1c3b57'
branch_labels = None
depends_on = None

KINDS_BEFORE = "kind IN ('discussion', 'question', 'announcement')"
KINDS_AFTER = "kind IN ('discussion', 'question', 'announcement', 'reflection')"
COHORT_SPACE = "kind = 'reflection' AND cohort_id IS NOT NULL"
COURSE_SPACE = "kind = 'reflection' AND cohort_id IS NULL"


def upgrade():
    with op.batch_alter_table('discussion_threads', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_discussion_threads_kind_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_discussion_threads_kind_known'), KINDS_AFTER)
        batch_op.create_index('uq_discussion_threads_cohort_reflection', ['course_id', 'cohort_id', 'item_key'],
                              unique=True, sqlite_where=sa.text(COHORT_SPACE), postgresql_where=sa.text(COHORT_SPACE))
        batch_op.create_index('uq_discussion_threads_course_reflection', ['course_id', 'item_key'], unique=True,
                              sqlite_where=sa.text(COURSE_SPACE), postgresql_where=sa.text(COURSE_SPACE))


def downgrade():
    # The old constraint knows no reflection threads: their answers stay, as ordinary discussions of the lesson.
    op.execute("UPDATE discussion_threads SET kind = 'discussion' WHERE kind = 'reflection'")
    with op.batch_alter_table('discussion_threads', schema=None) as batch_op:
        batch_op.drop_index('uq_discussion_threads_course_reflection', sqlite_where=sa.text(COURSE_SPACE),
                            postgresql_where=sa.text(COURSE_SPACE))
        batch_op.drop_index('uq_discussion_threads_cohort_reflection', sqlite_where=sa.text(COHORT_SPACE),
                            postgresql_where=sa.text(COHORT_SPACE))
        batch_op.drop_constraint(op.f('ck_discussion_threads_kind_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_discussion_threads_kind_known'), KINDS_BEFORE)
