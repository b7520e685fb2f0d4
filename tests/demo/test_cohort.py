"""The demo cohort `flask lms demo` opens: dated from today, made once."""

from datetime import UTC, datetime

from lms.core import schedule
from lms.demo import cohort as demo_cohort
from lms.models import LiveSession
from lms.services import cohorts
from tests.cohort_factories import local_now, publish_caring_cities


def test_the_demo_cohort_is_dated_from_today_and_made_once(db):
    publish_caring_cities()
    today = local_now().date()
    first = demo_cohort.ensure_demo_cohort("caring-cities", today)
    assert first.starts_on == today and first.enrolment_mode == "application"
    assert schedule.application_open(cohorts.cohort_times(first), datetime.now(UTC))
    again = demo_cohort.ensure_demo_cohort("caring-cities", today)
    assert again.id == first.id
    assert db.session.execute(db.select(db.func.count()).select_from(LiveSession)
                              .where(LiveSession.cohort_id == first.id)).scalar() == 4
    assert demo_cohort.ensure_demo_cohort("no-such-course", today) is None
