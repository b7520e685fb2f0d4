"""How a page's use case commits its small write (a read position, a resume point) and goes on rendering."""

from __future__ import annotations

from lms.extensions import db


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session holds. A page that writes a little on every view (where the reader
    is) and then renders what it loaded would otherwise read every loaded row again, one query each; the rows it
    shows are the ones this transaction read, which is what the page is about."""
    session = db.session()
    expiring = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring
