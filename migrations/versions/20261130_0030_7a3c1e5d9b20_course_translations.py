"""course translations: each version's translated files, the languages a version declares, the language each learner
chose and studied a course in, and the language of each quiz attempt.

Revision ID: 7a3c1e5d9b20
Revises: 3a16f74a9e6e
Create Date: 2026-11-30 00:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a3c1e5d9b20'
down_revision = '3a16f74a9e6e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('version_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('item_key', sa.String(length=64), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.Column('recorded_hash', sa.String(length=80), nullable=True),
    sa.Column('current_hash', sa.String(length=80), nullable=False),
    sa.CheckConstraint("kind IN ('course', 'module', 'lesson', 'quiz')", name=op.f('ck_version_translations_kind_known')),
    sa.ForeignKeyConstraint(['version_id'], ['course_versions.id'], name=op.f('fk_version_translations_version_id_course_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_version_translations')),
    sa.UniqueConstraint('version_id', 'language', 'kind', 'item_key', name=op.f('uq_version_translations_version_id_language_kind_item_key'))
    )
    with op.batch_alter_table('course_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('languages', sa.String(length=200), server_default='', nullable=False))
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('studied_language', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_enrolments_studied_language'), ['studied_language'], unique=False)
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolments_studied_language'))
        batch_op.drop_column('studied_language')
        batch_op.drop_column('language')
    with op.batch_alter_table('course_versions', schema=None) as batch_op:
        batch_op.drop_column('languages')
    op.drop_table('version_translations')
