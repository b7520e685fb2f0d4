"""The audit log: one row per staff action (publishing, application decisions, attendance, certificates, roles,
cohorts, course staff), written in the same transaction as the action by lms.services.audit.record.

A row keeps who acted as they were then (the account id, and the e-mail address as a snapshot that survives the
account's deletion; no actor at the command line), what they did (a stable action name, the target's type and id,
and a small JSON of details), when (UTC) and from where (the request's remote address and request id, or "command
line"). The application only ever inserts rows: the ORM refuses to update or delete one, whether through a loaded
object or an UPDATE/DELETE statement. (The database itself is not locked down: an operator with SQL access can still
change rows, and the test suite's cleanup deletes them.)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from lms.models.base import Base, UTCDateTime, utcnow

COMMAND_LINE = "command line"


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or remove an audit entry."""


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at", "id"),  # the admin page: newest first
        Index("ix_audit_log_action_at", "action", "at"),
        Index("ix_audit_log_actor_email_at", "actor_email", "at"),
        Index("ix_audit_log_target", "target_type", "target_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # SET NULL: deleting an account keeps its actions, with the e-mail address it had.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_email: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    origin: Mapped[str] = mapped_column(String(64))  # the request's remote address, or COMMAND_LINE
    request_id: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action} {self.target_type}:{self.target_id} by {self.actor_email}>"


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_changes(mapper, connection, target: AuditEntry) -> None:
    raise AuditLogIsAppendOnly(f"audit entry {target.id} cannot be changed or deleted: the log is append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state) -> None:
    """UPDATE and DELETE statements on the model skip the mapper events above; refuse them here."""
    if (state.is_update or state.is_delete) and any(mapper.class_ is AuditEntry for mapper in state.all_mappers):
        raise AuditLogIsAppendOnly("audit entries cannot be changed or deleted: the log is append-only")
