"""package files in the file store: version_files.data moves to the content-addressed store (lms.storage), by its
SHA-256; the downgrade reads every file back into the column. Each file is checked against its recorded digest both
ways, so a missing or damaged file stops the migration instead of losing content.

Revision ID: 9e4b7c2a1f30
Revises: 53f7c2cf1516
Create Date: 2026-11-30 04:10:00

"""
import hashlib

from alembic import op
import sqlalchemy as sa
from flask import current_app

from lms.storage import DirectoryStore, store_root


# revision identifiers, used by Alembic.
revision = '9e4b7c2a1f30'
down_revision = '53f7c2cf1516'
branch_labels = None
depends_on = None

_BATCH = 50


def _store():
    return DirectoryStore(store_root(current_app.config))


def upgrade():
    connection = op.get_bind()
    store = _store()
    ids = connection.execute(sa.text("SELECT id FROM version_files ORDER BY id")).scalars().all()
    for start in range(0, len(ids), _BATCH):
        batch = ids[start:start + _BATCH]
        rows = connection.execute(sa.text("SELECT id, sha256, data FROM version_files WHERE id IN :ids")
                                  .bindparams(sa.bindparam("ids", expanding=True)), {"ids": batch})
        for file_id, sha256, data in rows:
            stored = store.put(bytes(data))
            if stored.sha256 != sha256:
                raise RuntimeError(f"version_files row {file_id}: its data does not match its recorded SHA-256")
    with op.batch_alter_table('version_files', schema=None) as batch_op:
        batch_op.drop_column('data')


def downgrade():
    connection = op.get_bind()
    store = _store()
    with op.batch_alter_table('version_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data', sa.LargeBinary(), nullable=True))
    rows = connection.execute(sa.text("SELECT id, sha256 FROM version_files ORDER BY id")).all()
    for file_id, sha256 in rows:
        data = store.read(sha256)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise RuntimeError(f"the stored file {sha256} of version_files row {file_id} is damaged")
        connection.execute(sa.text("UPDATE version_files SET data = :data WHERE id = :id"),
                           {"data": data, "id": file_id})
    with op.batch_alter_table('version_files', schema=None) as batch_op:
        batch_op.alter_column('data', existing_type=sa.LargeBinary(), nullable=False)
