"""discussion search: the plain text search reads on every post (``search_text``), and the full-text index over it:
on PostgreSQL a tsvector column in each post's language with a GIN index, on SQLite an FTS5 table kept in step by
triggers (when the SQLite library has FTS5; without it, search reads ``search_text`` with LIKE).

Revision ID: 6a2898078452
Revises: 7c3e9a1d52f4
Create Date: 2026-11-30 07:30:00

"""
from alembic import op
import sqlalchemy as sa

from lms.core.discussion_search import search_config_sql, search_document_sql, searched_text
from lms.models.discussion_index import create_sqlite_index, drop_sqlite_index, sqlite_has_fts5


# revision identifiers, used by Alembic.
revision = '6a2898078452'
down_revision = '7c3e9a1d52f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('discussion_posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), server_default='', nullable=False))

    bind = op.get_bind()
    posts = bind.execute(sa.text(
        "SELECT p.id, p.html, p.is_opening, t.title FROM discussion_posts p "
        "JOIN discussion_threads t ON t.id = p.thread_id")).all()
    for post_id, html, is_opening, title in posts:
        bind.execute(sa.text("UPDATE discussion_posts SET search_text = :text WHERE id = :id"),
                     {"text": searched_text(html, title if is_opening else None), "id": post_id})

    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE discussion_posts ADD COLUMN search_vector tsvector")
        op.execute(f"UPDATE discussion_posts SET search_vector = to_tsvector({search_config_sql('language')}, "
                   f"{search_document_sql('search_text')})")
        op.execute("CREATE INDEX ix_discussion_posts_search_vector ON discussion_posts USING gin (search_vector)")
    elif bind.dialect.name == "sqlite" and sqlite_has_fts5(bind):
        create_sqlite_index(bind)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_discussion_posts_search_vector")
        op.execute("ALTER TABLE discussion_posts DROP COLUMN IF EXISTS search_vector")
    elif bind.dialect.name == "sqlite":
        drop_sqlite_index(bind)

    with op.batch_alter_table('discussion_posts', schema=None) as batch_op:
        batch_op.drop_column('search_text')
