"""course staff and report indexes: instructors per course, a stored progress percentage on enrolments (for
sorting the learner table in SQL; 0 until the learner next completes a lesson or submits a quiz), and the indexes the
reports read through.

Revision ID: 47dacbbe0f97
Revises: b2ce47f1ca7e
Create Date: 2026-11-23 13:22:54.572432

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '47dacbbe0f97'
down_revision = 'b2ce47f1ca7e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course_staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('instructor')", name=op.f('ck_course_staff_role_known')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_staff_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_course_staff_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_staff')),
    sa.UniqueConstraint('course_id', 'user_id', name=op.f('uq_course_staff_course_id_user_id'))
    )
    with op.batch_alter_table('course_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_staff_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('progress_percent', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index('ix_enrolments_course_last_activity', ['course_id', 'last_activity_at'], unique=False)
        batch_op.create_index('ix_enrolments_course_progress', ['course_id', 'progress_percent'], unique=False)

    with op.batch_alter_table('progress_events', schema=None) as batch_op:
        batch_op.create_index('ix_progress_events_course_at', ['course_id', 'at', 'user_id'], unique=False)

    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_attempts_course_quiz', ['course_id', 'quiz_key', 'quiz_hash'], unique=False)



def downgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_attempts_course_quiz')

    with op.batch_alter_table('progress_events', schema=None) as batch_op:
        batch_op.drop_index('ix_progress_events_course_at')

    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_index('ix_enrolments_course_progress')
        batch_op.drop_index('ix_enrolments_course_last_activity')
        batch_op.drop_column('progress_percent')

    with op.batch_alter_table('course_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_staff_user_id'))

    op.drop_table('course_staff')
