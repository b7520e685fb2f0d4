"""Authoring before publishing: a draft's quizzes tried as learners take them, the text of what changed, a
confirmation before publishing, deleting a draft by mistake, and the package guide as a page."""

import re

import pytest

from lms.models import AuditEntry, CourseVersion, QuizAttempt, VersionFile
from lms.services import enrolments, package_validation, publishing, quizzes
from tests.factories import EXAMPLE, copy_package, edit_file, make_user, set_version, table_counts
from tests.factories import EXAMPLE_SLUG as SLUG
from tests.factories import EXAMPLE_WRONG_ANSWERS as WRONG

QUIZ_URL = f"/author/{SLUG}/1.1.0/preview/quizzes/basics-quiz"


@pytest.fixture
def draft(db, tmp_path):
    """1.0.0 published; 1.1.0 a draft whose first lesson and quiz have new text."""
    publishing.import_package(None, EXAMPLE, publish=True)
    newer = copy_package(tmp_path)
    set_version(newer, "1.1.0")
    edit_file(newer / "basics" / "quiz.yaml", "title: Quiz on the basics", "title: Quiz on the basics, revised")
    edit_file(newer / "basics" / "quiz.yaml", "No. External images are not allowed, only links.",
              "No. Think about where the package keeps its files.")
    lesson = package_validation.load_valid(EXAMPLE).lessons[0]
    path = newer / lesson.path
    path.write_text(path.read_text(encoding="utf-8") + "\nA closing line added in 1.1.0.\n", encoding="utf-8")
    return publishing.import_package(None, newer).version


def seed_of(html: str) -> str:
    found = re.search(r'name="seed" type="hidden" value="(\d+)"|name="seed" value="(\d+)"', html) or \
        re.search(r'id="seed" name="seed" type="hidden" value="(\d+)"', html)
    assert found, html[-3000:]
    return next(group for group in found.groups() if group)


def test_an_author_tries_a_draft_quiz_as_learners_will_and_nothing_is_recorded(client, login_as, draft, db):
    login_as("admin")
    page = client.get(QUIZ_URL)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Quiz on the basics, revised" in html
    assert "Nothing you answer is recorded" in html
    assert 'type="radio" name="q-single"' in html.replace('id="q-single-', 'type="radio" name="q-single" id="')
    for secret in ("correct answer", "Explanation", "Think about where"):
        assert secret not in html, "the form gives nothing away, as the learner's does not"
    before = table_counts(db)
    review = client.post(QUIZ_URL, data={"seed": seed_of(html), "situation": "attempts_left", **WRONG})
    text = review.get_data(as_text=True)
    assert review.status_code == 200 and "Not passed" in text
    assert "Think about where the package keeps its files." in text, "the draft's feedback, on the answer given"
    assert "correct answer</span>" not in text and "Images may only come from" not in text
    assert "The correct answers are shown once you pass this quiz or have used all your attempts." in text
    assert table_counts(db) == before, "a preview records nothing"


def test_the_preview_shows_what_a_learner_sees_after_the_last_attempt(client, login_as, draft):
    login_as("admin")
    html = client.get(QUIZ_URL).get_data(as_text=True)
    text = client.post(QUIZ_URL, data={"seed": seed_of(html), "situation": "last_attempt", **WRONG}) \
        .get_data(as_text=True)
    assert "correct answer</span>" in text and "Images may only come from" in text
    assert "who has used all their attempts" in text or "has used all their attempts" in text


def test_unanswered_preview_questions_are_explained_like_a_learners(client, login_as, draft):
    login_as("admin")
    html = client.get(QUIZ_URL).get_data(as_text=True)
    response = client.post(QUIZ_URL, data={"seed": seed_of(html), "situation": "attempts_left", "q-single": "web"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "Your answers were not submitted" in text
    assert 'value="web" checked' in text, "the answers given are kept"


@pytest.mark.parametrize("seed", ["", "9" * 5000, "\N{SUPERSCRIPT TWO}", "-1"])
def test_a_preview_submitted_without_its_layout_asks_to_answer_again(client, login_as, draft, seed):
    login_as("admin")
    response = client.post(QUIZ_URL, data={"seed": seed, "situation": "attempts_left", **WRONG})
    assert response.status_code == 422
    assert "The form lost the order of the questions. Answer the quiz again." in response.get_data(as_text=True)


def test_a_preview_quiz_that_does_not_exist_is_not_found(client, login_as, draft):
    login_as("admin")
    assert client.get(f"/author/{SLUG}/1.1.0/preview/quizzes/no-such-quiz").status_code == 404


def test_the_version_page_shows_the_text_of_each_change_by_title(client, login_as, draft):
    login_as("admin")
    lesson = package_validation.load_valid(EXAMPLE).lessons[0]
    html = client.get(f"/author/{SLUG}/1.1.0/").get_data(as_text=True)
    assert f"Lesson “<bdi>{lesson.title}</bdi>”" in html and "Quiz “<bdi>Quiz on the basics, revised</bdi>”" in html
    assert "renamed from “<bdi>Quiz on the basics</bdi>”" in html
    assert '<ins class="diff-added">+ A closing line added in 1.1.0.</ins>' in html
    removed = "\N{MINUS SIGN}         feedback: No. External images are not allowed, only links."
    assert f'<del class="diff-removed">{removed}</del>' in html
    assert f"Lessons changed: “{lesson.title}”." in html, "the summary names lessons by title"
    assert f"<code>{lesson.id}</code>" not in html
    assert "Quiz “Quiz on the basics, revised” changed (questions changed: question 1)" in html


def test_publishing_asks_for_confirmation_first(client, login_as, draft, db):
    login_as("admin")
    version_page = client.get(f"/author/{SLUG}/1.1.0/").get_data(as_text=True)
    assert f'href="/author/{SLUG}/1.1.0/publish"' in version_page and 'action="/author/' not in version_page
    confirm = client.get(f"/author/{SLUG}/1.1.0/publish")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Publish version 1.1.0?" in html and "Yes, publish this version" in html
    assert 'name="replacing" type="hidden" value="1.0.0"' in html or 'value="1.0.0"' in html
    assert db.session.execute(db.select(CourseVersion.version).filter_by(is_current=True)).scalar_one() == "1.0.0"
    done = client.post(f"/author/{SLUG}/1.1.0/publish", data={"replacing": "1.0.0"})
    assert done.status_code == 302
    assert db.session.execute(db.select(CourseVersion.version).filter_by(is_current=True)).scalar_one() == "1.1.0"


def test_a_confirmation_made_before_another_version_was_published_is_refused(client, login_as, draft, db, tmp_path):
    login_as("admin")
    newest = copy_package(tmp_path / "newest")
    set_version(newest, "1.2.0")
    publishing.import_package(None, newest, publish=True)  # published by someone else meanwhile
    response = client.post(f"/author/{SLUG}/1.1.0/publish", data={"replacing": "1.0.0"}, follow_redirects=True)
    assert "was published since you confirmed" in response.get_data(as_text=True)
    assert db.session.execute(db.select(CourseVersion.version).filter_by(is_current=True)).scalar_one() == "1.2.0"


def test_a_draft_never_published_can_be_deleted_after_confirming_and_it_is_audited(client, login_as, draft, db):
    admin = login_as("admin")
    confirm = client.get(f"/author/{SLUG}/1.1.0/delete").get_data(as_text=True)
    assert "Delete the draft version 1.1.0?" in confirm and "Yes, delete this draft" in confirm
    assert db.session.get(CourseVersion, draft.id) is not None
    response = client.post(f"/author/{SLUG}/1.1.0/delete", follow_redirects=True)
    assert "The draft version 1.1.0 of example-all-features was deleted." in response.get_data(as_text=True)
    assert db.session.execute(db.select(CourseVersion).filter_by(version="1.1.0")).scalar_one_or_none() is None
    assert db.session.execute(db.select(db.func.count()).select_from(VersionFile)
                              .where(VersionFile.version_id == draft.id)).scalar_one() == 0
    entry = db.session.execute(db.select(AuditEntry).filter_by(action="course.delete_version")).scalar_one()
    assert entry.actor_id == admin.id and entry.target_id == SLUG and entry.details["version"] == "1.1.0"
    assert client.get(f"/author/{SLUG}/1.1.0/").status_code == 404


def test_a_published_version_cannot_be_deleted(client, login_as, draft, db):
    login_as("admin")
    before = table_counts(db)
    response = client.post(f"/author/{SLUG}/1.0.0/delete", follow_redirects=True)
    assert "has been published, so it is kept" in response.get_data(as_text=True)
    assert table_counts(db) == before


def test_a_version_learners_have_been_on_cannot_be_deleted(client, login_as, draft, db):
    learner = make_user()
    enrolments.enrol(learner, SLUG)
    attempt = quizzes.quiz_page(learner, SLUG, "basics-quiz").attempt
    db.session.execute(db.update(QuizAttempt).where(QuizAttempt.id == attempt.id).values(version_id=draft.id))
    db.session.commit()  # as if the learner had been on 1.1.0 (a version published, then put back to draft)
    login_as("admin")
    before = table_counts(db)
    response = client.post(f"/author/{SLUG}/1.1.0/delete", follow_redirects=True)
    assert "Learners have studied version 1.1.0" in response.get_data(as_text=True)
    assert table_counts(db) == before


def test_the_package_guide_is_a_page_an_instructor_can_read(client, login_as):
    login_as("instructor")
    index = client.get("/author/").get_data(as_text=True)
    assert 'href="/author/course-packages"' in index
    page = client.get("/author/course-packages")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<title>Course packages" in html
    assert '<h2 id="quizyaml"><code>quiz.yaml</code></h2>' in html and 'href="#lessons"' in html
    assert "<table>" in html and "after_passing_or_last_attempt" in html
    assert "<script" not in html.split("</header>", 1)[-1].split("<footer", 1)[0], "the guide is sanitised"


def test_markup_in_a_changed_line_is_shown_as_text(client, login_as, db, tmp_path):
    publishing.import_package(None, EXAMPLE, publish=True)
    newer = copy_package(tmp_path)
    set_version(newer, "1.1.0")
    lesson = package_validation.load_valid(EXAMPLE).lessons[0]
    path = newer / lesson.path
    path.write_text(path.read_text(encoding="utf-8") + '\n<script>alert("diff")</script>\n', encoding="utf-8")
    publishing.import_package(None, newer)
    login_as("admin")
    html = client.get(f"/author/{SLUG}/1.1.0/").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;diff&#34;)&lt;/script&gt;" in html and '<script>alert("diff")' not in html


def test_a_server_installed_without_the_guide_says_where_to_read_it(tmp_path):
    from lms.services import guides
    from lms.services.errors import NotFound

    with pytest.raises(NotFound, match=r"read docs/course-packages\.md"):
        guides.course_packages_guide(tmp_path / "course-packages.md")


def test_the_lesson_preview_shows_its_reflection_question_in_the_language_previewed(client, login_as, draft):
    login_as("admin")
    url = f"/author/{SLUG}/1.1.0/preview/lessons/welcome"
    html = client.get(url).get_data(as_text=True)
    assert "Which feature of this course would help the officials of your city most, and why?" in html
    assert "¿Qué función de este curso ayudaría más" in client.get(f"{url}?lang=es").get_data(as_text=True)
    assert "Reflect and share" not in client.get(f"/author/{SLUG}/1.1.0/preview/lessons/going-further") \
        .get_data(as_text=True)
