"""announcements fanned out by the worker: a thread flag for an announcement whose e-mail to every member is still
to be queued, and an HTML alternative on outgoing messages (discussion mail carries the post as sanitised HTML next
to its plain text).

Revision ID: c4a9e8f1d2b6
Revises: b7e1d2c3a4f5
Create Date: 2026-11-30 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a9e8f1d2b6'
down_revision = 'b7e1d2c3a4f5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('discussion_threads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announcement_pending', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_discussion_threads_announcement_pending'), ['announcement_pending'],
                              unique=False)
    with op.batch_alter_table('discussion_threads', schema=None) as batch_op:
        batch_op.alter_column('announcement_pending', server_default=None)

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('html_body', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('html_body')

    with op.batch_alter_table('discussion_threads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discussion_threads_announcement_pending'))
        batch_op.drop_column('announcement_pending')
