"""certificate status index: each certificate's bit in the revocation status lists (W3C Bitstring Status List v1.0),
drawn at random; certificates issued before get distinct random bits now.

Revision ID: 5b1e0c7a9d21
Revises: 788c32bc6c4a
Create Date: 2026-11-29 21:30:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e0c7a9d21'
down_revision = '788c32bc6c4a'
branch_labels = None
depends_on = None

LIST_BITS = 131072  # lms.core.credentials.STATUS_LIST_BITS, copied: a migration must not change with the code


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_index', sa.Integer(), nullable=True))
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.text("SELECT id FROM certificates ORDER BY id"))]
    # Keep every list at most half full, as the engine does when it draws an index.
    span = LIST_BITS * (1 + 2 * len(ids) // LIST_BITS)
    taken: set[int] = set()
    for certificate_id in ids:
        index = secrets.randbelow(span)
        while index in taken:
            index = secrets.randbelow(span)
        taken.add(index)
        connection.execute(sa.text("UPDATE certificates SET status_index = :index WHERE id = :id"),
                           {"index": index, "id": certificate_id})
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.alter_column('status_index', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_certificates_status_index'), ['status_index'])


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_certificates_status_index'), type_='unique')
        batch_op.drop_column('status_index')
