"""logins and verified e-mail addresses: each log-in is a row (logging out deletes it, so copied cookies stop
working), replacing the per-user session token; users.email_verified_at records when the owner confirmed the address.

Accounts that exist before this migration were in use already: they count as verified from the migration on (new
self-registered accounts confirm their address by a mailed link). Everyone logs in again once.

Revision ID: 3a16f74a9e6e
Revises: 2229f6135da5
Create Date: 2026-11-29 20:53:37.990116

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3a16f74a9e6e'
down_revision = '2229f6135da5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('logins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_logins_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_logins')),
    sa.UniqueConstraint('token', name=op.f('uq_logins_token'))
    )
    with op.batch_alter_table('logins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_logins_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_column('session_token')
    op.execute(sa.text("UPDATE users SET email_verified_at = CURRENT_TIMESTAMP"))


def downgrade():
    # Every account gets a new random session token (which signs everyone out once, as the upgrade did).
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.VARCHAR(length=64), nullable=True))
        batch_op.drop_column('email_verified_at')
    op.execute(sa.text("UPDATE users SET session_token = " + (
        "md5(random()::text || id::text)" if op.get_bind().dialect.name == "postgresql"
        else "lower(hex(randomblob(16)))")))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.VARCHAR(length=64), nullable=False)

    with op.batch_alter_table('logins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_logins_user_id'))

    op.drop_table('logins')
