"""lesson videos: a version's lesson may carry a video (its file or external player, captions, chapters, duration),
and how much of each video a learner has watched, with the position to resume at.

Revision ID: 4d8a6f1c3b57
Revises: 9e4b7c2a1f30
Create Date: 2026-11-30 04:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4d8a6f1c3b57'
down_revision = '9e4b7c2a1f30'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('version_lessons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('video', sa.JSON(), nullable=True))
    op.create_table(
        'video_watching',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('lesson_key', sa.String(length=64), nullable=False),
        sa.Column('video_sha256', sa.String(length=64), nullable=False),
        sa.Column('intervals', sa.JSON(), nullable=False),
        sa.Column('watched_seconds', sa.Float(), nullable=False),
        sa.Column('position', sa.Float(), nullable=False),
        sa.Column('first_reported_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_video_watching_course_id_courses'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_video_watching_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_video_watching')),
        sa.UniqueConstraint('user_id', 'course_id', 'lesson_key', 'video_sha256',
                            name=op.f('uq_video_watching_user_id_course_id_lesson_key_video_sha256')),
    )
    with op.batch_alter_table('video_watching', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_video_watching_course_id'), ['course_id'], unique=False)


def downgrade():
    with op.batch_alter_table('video_watching', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_video_watching_course_id'))
    op.drop_table('video_watching')
    with op.batch_alter_table('version_lessons', schema=None) as batch_op:
        batch_op.drop_column('video')
