"""lms.web.form_errors: a refusal is shown on the kept form with 422, and what the refused use case had written so
far is rolled back there, as lms.web.errors does for the refusals it answers itself (lms.services: a refusal is
raised, not rolled back first)."""

from flask_wtf import FlaskForm

from lms.models import Course
from lms.services.errors import Conflict
from lms.web.form_errors import save_form


def test_a_refusal_shown_on_the_form_leaves_nothing_half_written(app, db):
    def write_then_refuse():
        db.session.add(Course(slug="half-written"))
        db.session.flush()
        raise Conflict("Refused half-way.")

    with app.test_request_context("/", method="POST", data={}):
        form = FlaskForm()
        assert save_form(form, write_then_refuse) == (None, 422)
        assert form.form_errors == ["Refused half-way."]
        db.session.commit()  # what the page does next (a visit recorded, say) must not write the refused work
    assert db.session.execute(db.select(Course)).first() is None
