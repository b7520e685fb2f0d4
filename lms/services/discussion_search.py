"""Searching a course's discussions, and keeping the full-text index in step with what is written.

What a person finds is what they may read: the threads of their space (lms.services.discussions.visible_threads) and
the posts whose text they are shown (``readable_posts``: never a removed post; a hidden one only to staff, marked, and
to its author). The index is the database's own: on PostgreSQL a tsvector column in each post's language
(lms.core.discussion_search.search_config) with a GIN index, queried with ``websearch_to_tsquery`` and highlighted by
``ts_headline``; on SQLite an FTS5 table kept in step by triggers, queried with an expression built from the words
(never the person's syntax) and highlighted by ``snippet()``. A SQLite without FTS5 reads ``search_text`` with LIKE.
Either way the highlight is made on plain text and escaped (lms.core.discussion_search.highlighted).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    column,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.orm import aliased

from lms.core import discussion_search as searching
from lms.core.discussion_search import START_MARK, STOP_MARK
from lms.extensions import db
from lms.models import DiscussionPost, DiscussionThread, User
from lms.models.discussion_index import FTS_TABLE, REBUILD_FTS, SEARCH_VECTOR_COLUMN
from lms.services import discussions
from lms.services.discussions import REPLIES_PER_PAGE, Space
from lms.services.paging import Page, paginate

RESULTS_PER_PAGE = 20
_FTS = table(FTS_TABLE, column("rowid"), column("rank"))
_VECTOR = literal_column(f"discussion_posts.{SEARCH_VECTOR_COLUMN}")
_DOCUMENT = searching.search_document_sql("discussion_posts.search_text")
_HEADLINE_OPTIONS = (f"StartSel={START_MARK}, StopSel={STOP_MARK}, MaxWords=30, MinWords=12, MaxFragments=2, "
                     'FragmentDelimiter=" … "')
# Statements over the index columns the models do not map; made of this module's constants only, never of input.
_INDEX_ONE_POST = text(f"UPDATE discussion_posts SET {SEARCH_VECTOR_COLUMN} = "  # noqa: S608
                       f"to_tsvector(CAST(:config AS regconfig), {_DOCUMENT}) WHERE id = :id")
_INDEX_EVERY_POST = text(f"UPDATE discussion_posts SET {SEARCH_VECTOR_COLUMN} = "  # noqa: S608
                         f"to_tsvector({searching.search_config_sql('language')}, {_DOCUMENT})")
_REBUILD_FTS = text(REBUILD_FTS)
_backends: dict[str, str] = {}  # database URL → "postgresql", "fts5" or "like", found once per process


# Keeping the index in step (called by lms.services.discussion_posts; flushes, never commits).


def index_post(post: DiscussionPost, title: str | None) -> None:
    """Make ``post``'s searched text from its HTML (and its thread's ``title`` for an opening post) and index it."""
    post.search_text = searching.searched_text(post.html, title)
    db.session.flush()  # SQLite's triggers index it as it is written
    if _backend() == "postgresql":
        db.session.execute(_INDEX_ONE_POST, {"config": searching.search_config(post.language), "id": post.id})


def reindex_all() -> int:
    """Index every post again from its text and language (after a bulk load); returns how many were indexed."""
    if _backend() == "postgresql":
        return db.session.execute(_INDEX_EVERY_POST).rowcount
    if _backend() == "fts5":
        db.session.execute(_REBUILD_FTS)
    return db.session.execute(select(func.count(DiscussionPost.id))).scalar_one()


def _backend() -> str:
    url = str(db.engine.url)
    if url not in _backends:
        if db.engine.dialect.name == "postgresql":
            _backends[url] = "postgresql"
        else:
            has_fts = db.session.execute(text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
                                         {"name": FTS_TABLE}).first()
            _backends[url] = "fts5" if has_fts else "like"
    return _backends[url]


# Searching.


@dataclass(frozen=True)
class SearchHit:
    post: DiscussionPost
    thread: DiscussionThread
    author: User | None
    highlight: Markup  # the matching words in <mark>, everything else escaped
    hidden: bool  # hidden by staff: only staff and its author find it, marked
    thread_page: int  # the page of the thread the post is on


@dataclass(frozen=True)
class SearchResults:
    space: Space
    query: str
    message: str  # why nothing was searched ("" when the search ran)
    hits: Page[SearchHit]


def search(actor: User, slug: str, query: str, page: int = 1) -> SearchResults:
    """The posts of ``slug``'s discussions that ``actor`` may read and that match ``query``, best first."""
    space = discussions.course_space(actor, slug)
    cleaned = searching.clean_query(query)
    nothing = Page[SearchHit]([], 0, 1, RESULTS_PER_PAGE)
    if not cleaned:
        return SearchResults(space, "", _("Type one or more words to search for."), nothing)
    if len(cleaned) > searching.QUERY_MAX:
        return SearchResults(space, cleaned[:searching.QUERY_MAX],
                             _("A search has at most %(max)d characters.", max=searching.QUERY_MAX), nothing)
    backend = _backend()
    if backend != "postgresql" and not searching.parsed_query(cleaned):
        return SearchResults(space, cleaned, _("Type one or more words to search for (not only words to leave out)."),
                             nothing)
    allowed = [DiscussionThread.course_id == space.course.id, discussions.visible_threads(space.viewer),
               discussions.readable_posts(space.viewer)]
    matching, rank, fragment, extra_join = _matching(backend, cleaned)
    statement = (select(DiscussionPost.id).join(DiscussionThread, DiscussionThread.id == DiscussionPost.thread_id)
                 .where(*allowed, matching).order_by(rank, DiscussionPost.id.desc()))
    if extra_join is not None:
        statement = statement.join(*extra_join)

    def hits(limited: Select) -> list[SearchHit]:
        ids = list(db.session.execute(limited).scalars())
        return _hits(ids, fragment, matching, extra_join, cleaned) if ids else []

    return SearchResults(space, cleaned, "", paginate(statement, page, RESULTS_PER_PAGE, hits))


def _matching(backend: str, query: str):
    """(the match condition, the ordering, the highlighted fragment, a join the two need) for ``backend``."""
    if backend == "postgresql":
        # Each post is matched by the query read in the post's own configuration (so "-streets" leaves out
        # "street" in English and "streets" elsewhere), or word for word ("simple": Snowball stems "ciudad" as
        # "ciud" but "ciudades" as "ciudad"); an "or" of "@@ constant" terms, which the GIN index serves.
        post_config = literal_column(searching.search_config_sql("discussion_posts.language"))
        queries = {config: func.websearch_to_tsquery(literal_column(f"'{config}'::regconfig"), literal(query))
                   for config in searching.search_configs()}
        matching = or_(_VECTOR.op("@@")(queries[searching.FALLBACK_CONFIG]),
                       *[and_(_VECTOR.op("@@")(tsquery), post_config == literal_column(f"'{config}'::regconfig"))
                         for config, tsquery in queries.items() if config != searching.FALLBACK_CONFIG])
        own_query = case(*[(post_config == literal_column(f"'{config}'::regconfig"), tsquery)
                           for config, tsquery in queries.items()])
        fragment = func.ts_headline(post_config, literal_column(_DOCUMENT), own_query, literal(_HEADLINE_OPTIONS))
        return matching, func.ts_rank(_VECTOR, own_query).desc(), fragment, None
    if backend == "fts5":
        matching = literal_column(FTS_TABLE).op("MATCH")(literal(searching.fts5_expression(query)))
        fragment = func.snippet(literal_column(FTS_TABLE), 0, START_MARK, STOP_MARK, " … ", 24)
        return matching, _FTS.c.rank, fragment, (_FTS, _FTS.c.rowid == DiscussionPost.id)
    return _like_condition(query), DiscussionPost.id.desc(), DiscussionPost.search_text, None


def _like_condition(query: str) -> ColumnElement[bool]:
    def contains(word: str) -> ColumnElement[bool]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return DiscussionPost.search_text.ilike(f"%{escaped}%", escape="\\")

    alternatives = []
    for terms in searching.parsed_query(query):
        conditions = []
        for term in terms:
            condition = contains(" ".join(term.words)) if term.phrase else and_(*map(contains, term.words))
            conditions.append(not_(condition) if term.excluded else condition)
        alternatives.append(and_(*conditions))
    return or_(*alternatives)


def _hits(ids: list[int], fragment, matching, extra_join, query: str) -> list[SearchHit]:
    """The page's posts with their thread, author, fragment and page in the thread: one query."""
    reply = aliased(DiscussionPost)
    position = (select(func.count(reply.id))
                .where(reply.thread_id == DiscussionPost.thread_id, reply.parent_id.is_(None),
                       reply.is_opening.is_(False), reply.id <= func.coalesce(DiscussionPost.parent_id,
                                                                              DiscussionPost.id))
                .correlate(DiscussionPost).scalar_subquery())
    statement = (select(DiscussionPost, DiscussionThread, User, fragment, position)
                 .join(DiscussionThread, DiscussionThread.id == DiscussionPost.thread_id)
                 .outerjoin(User, User.id == DiscussionPost.author_id)
                 .where(DiscussionPost.id.in_(ids)))
    if extra_join is not None:  # snippet() answers only inside the MATCH that found the row
        statement = statement.join(*extra_join).where(matching)
    words = searching.wanted_words(query)
    found = {}
    for post, thread, author, marked, replies_before in db.session.execute(statement):
        if fragment is DiscussionPost.search_text:  # LIKE: the fragment is made here
            marked = searching.marked_fragment(marked, words)
        page = 1 if post.is_opening else max(1, math.ceil(replies_before / REPLIES_PER_PAGE))
        found[post.id] = SearchHit(post, thread, author, searching.highlighted(marked or ""),
                                   post.hidden_at is not None, page)
    return [found[post_id] for post_id in ids if post_id in found]
