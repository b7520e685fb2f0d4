"""The audit log from the application's side: entries are only ever added, in the transaction of the action they
record, and outlive the account of who acted."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update

from lms.models import AuditEntry, User
from lms.models.audit import AuditLogIsAppendOnly
from lms.services import accounts, audit
from lms.services.errors import Conflict, NotAllowed


def stored(db) -> list[tuple]:
    """Every entry as the database holds it (not as the session remembers it)."""
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(
        db.select(AuditEntry.id, AuditEntry.action, AuditEntry.target_id, AuditEntry.details, AuditEntry.origin)
        .order_by(AuditEntry.id)).all()]


@pytest.fixture
def entry(db, make_user) -> AuditEntry:
    admin = make_user("admin")
    row = audit.record(admin, "user.deactivate", "user", 42, {"email": "someone@example.org"})
    db.session.commit()
    return row


def test_an_entry_cannot_be_changed_through_the_orm(db, entry):
    before = stored(db)
    entry.details = {"email": "forged@example.org"}
    entry.action = "user.activate"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    assert stored(db) == before and before[0][1] == "user.deactivate"


def test_an_entry_cannot_be_deleted_through_the_orm(db, entry):
    before = stored(db)
    db.session.delete(entry)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    assert stored(db) == before and len(before) == 1


@pytest.mark.parametrize("statement", [
    update(AuditEntry).values(origin="10.0.0.1"),
    delete(AuditEntry),
], ids=["update", "delete"])
def test_update_and_delete_statements_on_entries_are_refused(db, entry, statement):
    before = stored(db)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(statement)
    db.session.rollback()
    assert stored(db) == before


def test_the_entry_is_part_of_the_actions_transaction(db, make_user):
    admin, person = make_user("admin"), make_user()
    person.role = "instructor"
    audit.record(admin, "user.role_change", "user", person.id, {"role": {"from": "learner", "to": "instructor"}})
    db.session.rollback()  # the action fails: neither the change nor its entry stays
    assert stored(db) == [] and db.session.get(User, person.id).role == "learner"

    accounts.set_role_and_status(admin, person.id, "instructor", True)  # commits the change with its entry
    assert [row[1] for row in stored(db)] == ["user.role_change"]


def test_a_refused_action_leaves_no_entry(db, make_user):
    instructor, person = make_user("instructor"), make_user()
    with pytest.raises(NotAllowed):
        accounts.set_role_and_status(instructor, person.id, "admin", True)
    assert stored(db) == []


def test_outside_a_request_the_origin_is_the_command_line(db, make_user):
    entry = audit.record(make_user("admin"), "user.activate", "user", 1)
    assert (entry.origin, entry.request_id) == ("command line", None)
    anonymous = audit.record(None, "user.activate", "user", 1)
    assert (anonymous.actor_id, anonymous.actor_email) == (None, None)


def test_an_unknown_action_name_is_a_programming_error(db):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(None, "user.renamed", "user", 1)


def test_details_are_stored_as_json(db):
    from datetime import UTC, date, datetime

    entry = audit.record(None, "cohort.update", "cohort", 7, {
        "starts_on": audit.changes({"d": date(2030, 1, 1)}, {"d": date(2030, 1, 2)})["d"],
        "ids": {3, 1, 2}, "at": datetime(2030, 1, 1, 9, tzinfo=UTC)})
    db.session.commit()
    assert stored(db)[0][3] == {"starts_on": {"from": "2030-01-01", "to": "2030-01-02"}, "ids": [1, 2, 3],
                                "at": "2030-01-01T09:00:00+00:00"}
    assert entry.target_id == "7"


def test_the_entry_outlives_the_account_of_who_acted(db, make_user):
    admin = make_user("admin")
    audit.record(admin, "user.deactivate", "user", 99)
    db.session.commit()
    email = admin.email
    db.session.execute(delete(User).where(User.id == admin.id))
    db.session.commit()
    entry = db.session.execute(db.select(AuditEntry).execution_options(populate_existing=True)).scalar_one()
    assert (entry.actor_id, entry.actor_email) == (None, email)


def test_only_admins_list_or_export(db, make_user):
    for role in ("learner", "instructor"):
        with pytest.raises(NotAllowed):
            audit.list_entries(make_user(role))
        with pytest.raises(NotAllowed):
            audit.export_rows(make_user(role))


def test_a_duplicate_cohort_key_is_refused_and_leaves_no_entry(db):
    from tests.cohort_factories import make_cohort, publish_caring_cities

    publish_caring_cities()
    make_cohort(key="2031-run", sessions=0)
    before = stored(db)
    with pytest.raises(Conflict, match="already has a cohort with the key '2031-run'"):
        make_cohort(key="2031-run", sessions=0)
    # One by publishing the package (its 2023 cohort), one by make_cohort; none by the refused duplicate.
    assert stored(db) == before and [row[1] for row in before].count("cohort.create") == 2
