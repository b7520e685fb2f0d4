"""An XSS corpus (tests/data/xss_payloads.json) pushed through every field a user or author controls, and never coming
back executable: not in a page, not in a certificate PDF's metadata, not as a formula in a CSV export.

The fields: the name and profile of an account (registration form), the application form and its letter's file name,
a course package's Markdown (lesson bodies, eligibility, quiz prompts and choices), a video's caption texts (its
transcript) and chapter titles, and YAML strings (course, module, lesson and quiz titles, summary, authors, issuers,
resources, feedback, explanations, live sessions, cohorts), cohorts and sessions made by staff (web form and command
line), decision notes, certificate reasons, a Zoom attendance report, the request id the audit log keeps, and the
query strings pages echo back. The pages are found by crawling the site as an administrator, as the course's
instructor and as learners, from the main pages; every HTML page is parsed (html.parser) and checked by
``executable_content``, every CSV by ``formula_cells``, every certificate PDF by ``pdf_problems``.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
from collections import deque
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest
import yaml
from pypdf import PdfReader

from lms.core.csvsafe import FORMULA_STARTS
from lms.core.packages import load_package
from lms.demo.synthetic import write_synthetic_package
from lms.extensions import db as _db
from lms.extensions import limiter
from lms.models import Application, Cohort, LiveSession, User
from lms.services import applications, certificates, enrolments, learning, live_sessions, quizzes
from lms.services.errors import Invalid
from tests.cohort_factories import PDF, local_now
from tests.factories import DEFAULT_PASSWORD, EXAMPLE, make_instructor, make_user, table_counts

CORPUS = json.loads((Path(__file__).resolve().parent.parent / "data" / "xss_payloads.json").read_text("utf-8"))
TEXT: list[str] = CORPUS["text"]
URLS: list[str] = CORPUS["url"]
MARKDOWN: list[str] = CORPUS["markdown"]
# Link fields accept http(s) addresses only; these two are well-formed ones that try to break out of the attribute.
HTTPS_URLS = [url for url in URLS if url.startswith("https://")]
REFUSED_URLS = [url for url in URLS if url not in HTTPS_URLS]
SLUG = "xss-corpus"
SVG_WITH_SCRIPT = ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script>'
                   '<a href="javascript:alert(1)"><text y="20">x</text></a></svg>')


# What "executable" means: the checks every response goes through.


URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"})
TEXT_ATTRIBUTES = frozenset({"value", "title", "alt", "aria-label", "placeholder"})  # shown to people as text
FORBIDDEN_ELEMENTS = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet", "base"})
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f]+")


def dangerous_url(value: str | None) -> bool:
    """A URL a browser would run or render as a document: javascript:, vbscript: or data:, however it is spelled
    (character references, letter case, whitespace and control characters inside)."""
    text = _INVISIBLE.sub("", html.unescape(html.unescape(value or ""))).lower()
    return text.startswith(("javascript:", "vbscript:", "data:"))


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self._raw_text_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.problems.append(f"<script> that is not one of our static files: {attrs}")
        if tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"<{tag}> element: {attrs}")
        if tag == "meta" and (values.get("http-equiv") or "").strip().lower() == "refresh":
            self.problems.append(f"<meta http-equiv=refresh>: {attrs}")
        for name in names:
            if name.startswith("on"):
                self.problems.append(f"event handler attribute {name} on <{tag}>: {values[name]!r}")
            if name == "srcdoc":
                self.problems.append(f"srcdoc attribute on <{tag}>")
        for name, value in attrs:
            if name in URL_ATTRIBUTES and dangerous_url(value):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in TEXT_ATTRIBUTES and value:
                self.text.append(value)


def executable_content(page: str) -> tuple[list[str], str]:
    """(what in the page could run, the page's text and text-like attribute values, whitespace collapsed)."""
    parser = _PageParser()
    parser.feed(page)
    parser.close()
    return parser.problems, " ".join(" ".join(parser.text).split())


def formula_cells(data: bytes) -> list[str]:
    """Cells a spreadsheet would run: text starting with =, +, -, @, tab or CR that is not a plain number."""
    text = data.decode("utf-8-sig")
    bad = []
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if cell.startswith(FORMULA_STARTS) and not _is_number(cell):
                bad.append(cell)
    return bad


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def pdf_problems(data: bytes) -> list[str]:
    """Metadata that is not plain text, and anything in the PDF that runs or opens something."""
    reader = PdfReader(io.BytesIO(data))
    problems = [f"metadata {key} is {type(value).__name__}, not text" for key, value in (reader.metadata or {}).items()
                if not isinstance(value, str)]
    for name in (b"/JavaScript", b"/JS ", b"/JS(", b"/JS<", b"/AA ", b"/AA<", b"/Launch", b"/SubmitForm",
                 b"/ImportData", b"/RichMedia", b"/EmbeddedFile"):
        if name in data:
            problems.append(f"the PDF contains {name.decode().strip()}")
    opening = reader.trailer["/Root"].get("/OpenAction")
    if opening is not None and not isinstance(opening.get_object(), list):  # a page to open at is fine; an action not
        problems.append(f"the PDF runs an action when opened: {opening.get_object()!r}")
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            uri = action.get_object().get("/URI") if action is not None else None
            if uri is not None and not str(uri).startswith(("https://", "http://")):
                problems.append(f"a link to {uri!r}")
    return problems


# The corpus itself, at the source: Markdown and link fields of packages.


def _package_with_lesson_body(dest: Path, body: str) -> Path:
    write_synthetic_package(dest, lessons=1, slug="probe", questions_per_quiz=0)
    lesson = next(dest.glob("module-*/*.md"))
    lesson.write_text(lesson.read_text("utf-8") + "\n\n" + body + "\n", encoding="utf-8")
    return dest


@pytest.mark.parametrize("payload", MARKDOWN)
def test_markdown_payloads_are_refused_or_rendered_inert(tmp_path, payload):
    result = load_package(_package_with_lesson_body(tmp_path / "package", payload))
    if result.ok:
        problems, _ = executable_content(result.package.lessons[0].html)
        assert not problems
    else:
        assert all(problem.file.endswith(".md") for problem in result.problems), result.problems


@pytest.mark.parametrize("url", REFUSED_URLS)
@pytest.mark.parametrize("field", ["resource", "issuer", "session"])
def test_package_link_fields_refuse_every_dangerous_url(tmp_path, field, url):
    folder = write_synthetic_package(tmp_path / "package", lessons=1, slug="probe", questions_per_quiz=0)
    course = yaml.safe_load((folder / "course.yaml").read_text("utf-8"))
    if field == "resource":
        course["resources"][1]["url"] = url
    elif field == "issuer":
        course["certificate"]["issuers"][0]["url"] = url
    else:
        course["cohorts"] = [{"id": "run", "name": "Run", "timezone": "UTC", "enrolment": "invite",
                              "starts_on": "2031-01-01",
                              "ends_on": "2031-01-31", "sessions": [{"template": "kick-off", "join_url": url,
                                                                     "starts_at": "2031-01-02T10:00",
                                                                     "ends_at": "2031-01-02T11:00"}]}]
    (folder / "course.yaml").write_text(yaml.safe_dump(course, allow_unicode=True), encoding="utf-8")
    result = load_package(folder)
    assert not result.ok
    assert [problem.file for problem in result.problems] == ["course.yaml"], result.problems


def test_titles_and_names_of_a_package_are_one_line(tmp_path):
    """They end up in e-mail subjects: a line break there is a header-injection attempt, and made the mail fail."""
    folder = write_synthetic_package(tmp_path / "package", lessons=1, slug="probe", questions_per_quiz=1)
    course = yaml.safe_load((folder / "course.yaml").read_text("utf-8"))
    course["title"] = "Caring\r\nBcc: victim@example.org"
    course["live_sessions"][0]["title"] = "Kick-off\nX-Injected: yes"
    course["cohorts"] = [{"id": "run", "name": "Seoul\r\n\tBcc: victim@example.org", "timezone": "UTC",
                          "enrolment": "invite",
                          "starts_on": "2031-01-01", "ends_on": "2031-01-31"}]
    (folder / "course.yaml").write_text(yaml.safe_dump(course, allow_unicode=True), encoding="utf-8")
    package = load_package(folder).package
    assert package.title == "Caring Bcc: victim@example.org"
    assert package.live_sessions[0].title == "Kick-off X-Injected: yes"
    assert package.cohorts[0].name == "Seoul Bcc: victim@example.org"


def test_applying_to_a_package_cohort_with_a_line_break_in_its_name_mails_one_subject_line(
        db, client, login_as, outbox, tmp_path):
    from tests.factories import copy_package

    folder = copy_package(tmp_path)
    course = yaml.safe_load((folder / "course.yaml").read_text("utf-8"))
    course["enrolment"] = "application"
    course["cohorts"][0].update(name="Seoul\r\nBcc: victim@example.org", applications_open="2020-01-01T00:00",
                                enrolment="application")
    (folder / "course.yaml").write_text(yaml.safe_dump(course, allow_unicode=True), encoding="utf-8")
    from lms.services import publishing

    publishing.import_package(None, folder, publish=True)
    cohort = db.session.execute(db.select(Cohort)).scalar_one()
    login_as("learner")
    response = client.post(f"/programmes/cohorts/{cohort.id}/apply", data={
        "full_name": "Ana Pérez", "email": "ana@city.gov", "organisation": "City", "position": "Planner",
        "city": "Madrid", "country": "ES", "language": "es", "motivation": "I lead the team that designs services.",
        "letter": (io.BytesIO(PDF), "letter.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert outbox.messages[-1]["Subject"] == "We received your application to Seoul Bcc: victim@example.org"
    assert outbox.messages[-1]["Bcc"] is None


def test_staff_session_links_refuse_every_dangerous_url(db):
    from tests.cohort_factories import make_cohort, publish_caring_cities

    publish_caring_cities()
    cohort = make_cohort(sessions=0)
    start = local_now() + timedelta(days=3)
    for url in REFUSED_URLS:
        for field in ("join_url", "recording_url"):
            data = live_sessions.SessionData(title="Session", starts_at=start, ends_at=start + timedelta(hours=1),
                                       timezone="Europe/Madrid", **{field: url})
            with pytest.raises(Invalid):
                live_sessions.add_session(None, cohort.id, data)
    assert live_sessions.sessions_of(cohort.id) == []


def test_the_checks_catch_what_they_are_for():
    """The checks themselves, on pages that do contain executable content (so a broken check cannot pass all)."""
    for page in ('<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<svg onload=alert(1)>',
                 '<a href="&#106;ava&#x09;script:alert(1)">x</a>', '<a href=" JaVaScRiPt:alert(1)">x</a>',
                 '<form action="vbscript:x">', '<a href="data:text/html,x">x</a>', '<iframe srcdoc="x">',
                 '<object data="x"></object>', '<embed src="x">', '<base href="/">',
                 '<meta http-equiv="Refresh" content="0;url=/">', '<script src="https://evil.example/x.js"></script>',
                 '<button formaction="javascript:alert(1)">x</button>', '<a href="&amp;#106;avascript:x">x</a>'):
        assert executable_content(page)[0], page
    assert executable_content('<script src="/static/js/lesson.js"></script><a href="/x">&lt;script&gt;</a>') == (
        [], "<script>")
    assert formula_cells("\ufeffname,score\r\n=1+1,-3\r\n'=1+1,2\r\n".encode()) == ["=1+1"]


# The corpus through the whole app.


def _write_xss_package(dest: Path) -> Path:
    """A valid package with a payload in every string an author writes."""
    inert_markdown = [payload for payload in MARKDOWN
                      if load_package(_package_with_lesson_body(dest.parent / f"probe-{MARKDOWN.index(payload)}",
                                                                payload)).ok]
    (dest / "assets").mkdir(parents=True)
    shutil.copy(EXAMPLE / "assets" / "care-map.png", dest / "assets" / "figure.png")
    (dest / "assets" / "drawing.svg").write_text(SVG_WITH_SCRIPT, encoding="utf-8")

    def lesson(folder: str, name: str, front: dict, body: str) -> str:
        (dest / folder).mkdir(exist_ok=True)
        matter = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
        (dest / folder / name).write_text(f"---\n{matter}---\n{body}\n", encoding="utf-8")
        return name

    # A video whose captions (so its transcript) and chapter titles are the payloads, one cue each.
    shutil.copy(EXAMPLE / "assets" / "street-trees.webm", dest / "assets" / "video.webm")
    cues = "".join(f"\n00:00:{n * 0.4:06.3f} --> 00:00:{n * 0.4 + 0.4:06.3f}\n{payload}\n"
                   for n, payload in enumerate(TEXT))
    (dest / "assets" / "captions.vtt").write_text(f"WEBVTT\n{cues}", encoding="utf-8")
    (dest / "assets" / "chapters.vtt").write_text(f"WEBVTT\n{cues}", encoding="utf-8")
    video = {"file": "assets/video.webm", "captions": [{"language": "en", "file": "assets/captions.vtt"}],
             "chapters": "assets/chapters.vtt", "poster": "assets/figure.png"}
    text_lessons = [
        lesson("text", f"{n:02d}.md", {"id": f"text-{n}", "title": payload, "minutes": 1,
                                       **({"video": video} if n == 1 else {})}, "\n\n".join([
            payload, f"## {payload}", f"- {payload}", f"> {payload}", f"`{payload}`",
            f"[{payload}](https://example.org/)", f"![{payload}](../assets/figure.png)",
            f"![{payload}](../assets/drawing.svg) and [the drawing](../assets/drawing.svg)"]))
        for n, payload in enumerate(TEXT, start=1)]
    markdown_lessons = [lesson("markdown", f"{n:02d}.md", {"id": f"markdown-{n}", "title": f"Markdown {n}",
                                                          "minutes": 1}, payload)
                        for n, payload in enumerate(inert_markdown, start=1)]
    questions = [{"id": f"q-{n}", "type": "single_choice", "prompt": payload, "explanation": payload,
                  "choices": [{"id": "right", "text": payload, "correct": True, "feedback": payload},
                              {"id": "wrong", "text": f"Not {payload}", "feedback": payload}]}
                 for n, payload in enumerate(TEXT, start=1)]
    questions += [{"id": "q-true-false", "type": "true_false", "prompt": TEXT[0], "answer": True,
                   "feedback_correct": TEXT[1], "feedback_incorrect": TEXT[2]},
                  {"id": "q-short", "type": "short_answer", "prompt": TEXT[3], "accepted_answers": TEXT[:5]}]
    modules = {"text": {"id": "text", "title": TEXT[0], "summary": TEXT[1], "lessons": text_lessons},
               "markdown": {"id": "markdown", "title": TEXT[8], "summary": TEXT[9], "lessons": markdown_lessons}}
    for folder, module in modules.items():
        (dest / folder / "module.yaml").write_text(yaml.safe_dump(module, allow_unicode=True), encoding="utf-8")
    quiz = {"id": "text-quiz", "title": TEXT[10], "pass_mark": 50, "questions": questions}
    (dest / "text" / "quiz.yaml").write_text(yaml.safe_dump(quiz, allow_unicode=True), encoding="utf-8")
    start = local_now().date() - timedelta(days=1)
    course = {
        "slug": SLUG, "title": f"XSS corpus {TEXT[0]}", "version": "1.0.0", "summary": " ".join(TEXT),
        "language": "en", "licence": TEXT[11],
        "authors": [{"name": payload, "organisation": payload} for payload in TEXT[:6]],
        "estimated_hours": 1, "enrolment": "open",
        "eligibility": "\n\n".join(inert_markdown).replace("../assets/", "assets/"),  # relative to course.yaml
        "modules": ["text", "markdown"], "completion": {"min_sessions_attended": 0},
        "certificate": {"enabled": True, "issuers": [{"name": TEXT[12], "url": url} for url in HTTPS_URLS]},
        "resources": [{"title": payload, "url": "https://example.org/", "description": payload} for payload in TEXT]
        + [{"title": f"Link {n}", "url": url} for n, url in enumerate(HTTPS_URLS, start=1)]
        + [{"title": "A drawing", "url": "assets/drawing.svg"}],
        "live_sessions": [{"id": f"s-{n}", "title": payload, "description": payload}
                          for n, payload in enumerate(TEXT[:4], start=1)],
        "cohorts": [{"id": "package-run", "name": TEXT[13], "timezone": "Europe/Madrid", "enrolment": "open",
                     "starts_on": start.isoformat(), "ends_on": (start + timedelta(days=60)).isoformat(),
                     "sessions": [{"template": f"s-{n}", "join_url": HTTPS_URLS[n % len(HTTPS_URLS)],
                                   "starts_at": f"{start + timedelta(days=n + 3)}T10:00",
                                   "ends_at": f"{start + timedelta(days=n + 3)}T11:00"} for n in range(1, 5)]}],
    }
    (dest / "course.yaml").write_text(yaml.safe_dump(course, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dest


def _zipped(folder: Path) -> bytes:
    from lms.core.packages import package_zip_bytes

    return package_zip_bytes({path.relative_to(folder).as_posix(): path.read_bytes()
                              for path in sorted(folder.rglob("*")) if path.is_file()}, root=folder.name)


def _forbids_inline_script(policy: str) -> bool:
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.split()}
    scripts = directives.get("script-src", directives.get("default-src"))
    return scripts is not None and "'unsafe-inline'" not in scripts and "*" not in scripts


class Crawl:
    """Everything the crawl saw: problems per URL, the text of each HTML page, CSV files and PDFs checked."""

    def __init__(self) -> None:
        self.problems: dict[str, list[str]] = {}
        self.texts: dict[str, str] = {}
        self.csv_files: dict[str, bytes] = {}
        self.pdfs: dict[str, bytes] = {}
        self.server_errors: list[str] = []

    def check_response(self, label: str, response) -> None:
        body = response.get_data()
        if response.status_code >= 500:
            self.server_errors.append(f"{label}: {response.status_code}")
        policy = response.headers.get("Content-Security-Policy", "")
        if response.mimetype in ("image/svg+xml", "text/xml", "application/xml") and "sandbox" not in policy:
            self.problems[label] = [f"{response.mimetype} served without a sandboxing policy: {policy!r}"]
        if response.mimetype == "text/html" and not _forbids_inline_script(policy):
            self.problems[label] = [f"an HTML page whose policy allows inline script: {policy!r}"]
        if response.mimetype == "text/html":
            problems, text = executable_content(body.decode("utf-8"))
            self.texts[label] = text
            if problems:
                self.problems[label] = problems
        elif response.mimetype == "text/csv":
            self.csv_files[label] = body
            if formula_cells(body):
                self.problems[label] = [f"formula cell {cell!r}" for cell in formula_cells(body)]
        elif response.mimetype == "application/pdf" and "/certificates/" in label:
            self.pdfs[label] = body
            if pdf_problems(body):
                self.problems[label] = pdf_problems(body)

    def crawl(self, persona: str, client, seeds: list[str], *, per_pattern: int = 30) -> None:
        queue = deque(seeds)
        seen: set[str] = set()
        patterns: dict[tuple, int] = {}
        while queue:
            url = queue.popleft()
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost") or parts.scheme not in ("", "http"):
                continue
            url = parts.path + (f"?{parts.query}" if parts.query else "")
            pattern = (re.sub(r"/[^/]*\d[^/]*", "/N", parts.path),
                       tuple(sorted(key.split("=")[0] for key in parts.query.split("&") if key)))
            if url in seen or parts.path.startswith("/static/") or patterns.get(pattern, 0) >= per_pattern:
                continue
            seen.add(url)
            patterns[pattern] = patterns.get(pattern, 0) + 1
            limiter.reset()
            response = client.get(url)
            self.check_response(f"{persona} GET {url}", response)
            if response.status_code in (301, 302, 303):
                queue.append(urljoin(url, response.headers["Location"]))
            elif response.mimetype == "text/html":
                queue.extend(urljoin(url, html.unescape(link))
                             for link in re.findall(r'(?:href|src)="([^"#]*)', response.get_data(as_text=True))
                             if link)
            response.close()


def _done(response) -> None:
    """A form that was accepted: redirected on, not to the log-in page."""
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert not urlsplit(response.headers["Location"]).path.startswith("/login"), response.headers["Location"]


def _register(app, number: int, payload: str):
    client = app.test_client()
    limiter.reset()
    response = client.post("/register", data={
        "display_name": payload, "organisation": payload, "job_title": payload, "city": payload, "country": "ES",
        "timezone": "Europe/Madrid", "preferred_language": "es", "email": f"xss{number}@example.org",
        "password": DEFAULT_PASSWORD, "confirm": DEFAULT_PASSWORD})
    assert response.status_code == 200 and "Check your e-mail" in response.get_data(as_text=True), payload
    # As if the mailed confirmation link had been opened (tests/web/test_auth.py follows the real link).
    from datetime import UTC, datetime

    from lms.services import accounts

    accounts.find_by_email(f"xss{number}@example.org").email_verified_at = datetime.now(UTC)
    _db.session.commit()
    logged_in = client.post("/login", data={"email": f"xss{number}@example.org", "password": DEFAULT_PASSWORD})
    assert logged_in.status_code == 302, payload
    return client


def _answers(payload: str) -> dict[str, list[str]]:
    return {**{f"q-{n}": ["right"] for n in range(1, len(TEXT) + 1)}, "q-true-false": ["true"],
            "q-short": [payload]}


def _build_and_crawl(app, tmp: Path) -> Crawl:
    from lms.extensions import db

    seen = Crawl()
    admin, instructor = make_user("admin"), make_instructor()
    admin_client, instructor_client = app.test_client(), app.test_client()
    # Whatever the audit log keeps of a request comes from the request.
    admin_client.environ_base.update(HTTP_X_REQUEST_ID=TEXT[0], HTTP_USER_AGENT=TEXT[1])
    for client, user in ((admin_client, admin), (instructor_client, instructor)):
        assert client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD}).status_code == 302

    # The author: a package with a payload in every string, uploaded and published through the web.
    package = _write_xss_package(tmp / SLUG)
    uploaded = instructor_client.post("/author/upload", data={"package": (io.BytesIO(_zipped(package)), "x.zip")},
                                      content_type="multipart/form-data")
    _done(uploaded)
    _done(instructor_client.post(f"/author/{SLUG}/1.0.0/publish"))

    # Staff: cohorts and sessions by the web form and the command line.
    today = local_now()
    cohort_form = {"course": SLUG, "timezone": "Europe/Madrid", "enrolment_mode": "application",
                   "starts_on": (today - timedelta(days=1)).date().isoformat(),
                   "ends_on": (today + timedelta(days=60)).date().isoformat(),
                   "applications_open": (today - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
                   "application_deadline": (today + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")}
    for payload in TEXT:
        response = admin_client.post("/staff/cohorts/new", data={**cohort_form, "name": payload})
        _done(response)
    main = db.session.execute(db.select(Cohort).filter_by(name=" ".join(TEXT[0].split()))).scalar_one()
    day = (today + timedelta(days=5)).replace(hour=10, minute=0)
    session_form = {"timezone": "Europe/Madrid", "starts_at": day.strftime("%Y-%m-%dT%H:%M"),
                    "ends_at": (day + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")}
    for number, payload in enumerate(TEXT):
        response = admin_client.post(f"/staff/cohorts/{main.id}/sessions/new", data={
            **session_form, "title": payload, "description": payload,
            "join_url": HTTPS_URLS[number % len(HTTPS_URLS)], "recording_url": HTTPS_URLS[-1]})
        _done(response)
    before = table_counts(db)
    for url in REFUSED_URLS:
        for field in ("join_url", "recording_url"):
            refused = admin_client.post(f"/staff/cohorts/{main.id}/sessions/new",
                                        data={**session_form, "title": "Refused", field: url})
            assert refused.status_code == 422, (url, field)
            seen.check_response(f"admin POST session with {field}={url!r}", refused)
    assert table_counts(db) == before, "a refused link stored something"
    runner = app.test_cli_runner()
    for payload in TEXT[:4]:
        result = runner.invoke(args=["lms", "cohort", "create", "--course", SLUG, "--name", payload,
                                     "--timezone", "Europe/Madrid", "--starts-on", cohort_form["starts_on"],
                                     "--ends-on", cohort_form["ends_on"], "--mode", "open"])
        assert result.exit_code == 0, result.output
        cohort_id = int(re.search(r"\b(\d+)\b", result.output.split("Created:", 1)[1]).group(1))
        result = runner.invoke(args=["lms", "cohort", "add-session", str(cohort_id), "--title", payload,
                                     "--starts-at", session_form["starts_at"], "--ends-at", session_form["ends_at"],
                                     "--join-url", HTTPS_URLS[0]])
        assert result.exit_code == 0, result.output
        refused = runner.invoke(args=["lms", "cohort", "add-session", str(cohort_id), "--title", payload,
                                      "--starts-at", session_form["starts_at"], "--ends-at", session_form["ends_at"],
                                      "--join-url", REFUSED_URLS[0]])
        assert refused.exit_code == 1 and "Traceback" not in refused.output

    # Learners: registered through the form with a payload as name, organisation, position and city; they enrol,
    # apply with a payload in every answer and as the letter's file name, study, answer the quiz, get certified.
    learner_clients = {}
    learners = []
    for number, payload in enumerate(TEXT):
        learner_clients[payload] = _register(app, number, payload)
        user = db.session.execute(db.select(User).filter_by(email=f"xss{number}@example.org")).scalar_one()
        learners.append(user)
        enrolments.enrol(user, SLUG)
        applications.submit_application(user, main.id, applications.Answers(
            full_name=payload, organisation=payload, position=payload, city=payload,
            country="ES", language="es", motivation=f"{payload} is why I want to take part."),
            applications.LetterUpload(f"{payload}.pdf", PDF))
        learning.complete_lesson(user, SLUG, "text-1")
        attempt = quizzes.quiz_page(user, SLUG, "text-quiz").attempt
        quizzes.submit_attempt(user, SLUG, "text-quiz", attempt.id, _answers(payload))
    for number, user in enumerate(learners):
        if number % 3 == 0:
            certificates.issue_by_admin(admin, user.id, SLUG, TEXT[number])

    # Staff decisions, certificate actions and attendance, with payloads in every note, reason and report row.
    application_ids = db.session.execute(db.select(Application.id).order_by(Application.id)).scalars().all()
    for number, application_id in enumerate(application_ids[:8]):
        response = admin_client.post(f"/staff/applications/{application_id}",
                                     data={"decision": "accepted", "note": TEXT[number]})
        _done(response)
    response = admin_client.post(f"/staff/cohorts/{main.id}/applications/decide", data={
        "decision": "waitlisted", "note": TEXT[8], "application_ids": [str(i) for i in application_ids[8:12]]})
    _done(response)
    for number, user in enumerate(learners):
        if number % 3 == 1:
            response = admin_client.post("/certificates/admin/", data={"email": user.email, "course": SLUG,
                                                                       "reason": TEXT[number]})
            _done(response)
    public_ids = [certificate.public_id for user in learners for certificate in certificates.my_certificates(user)]
    for number, public_id in enumerate(public_ids[:6]):
        response = admin_client.post(f"/certificates/admin/{public_id}", data={"reason": TEXT[-number - 1]})
        _done(response)
    session = db.session.execute(db.select(LiveSession).filter_by(cohort_id=main.id)
                                 .order_by(LiveSession.id)).scalars().first()
    report = "Name (Original Name),User Email,Duration (Minutes)\r\n" + "".join(
        f'"{payload.replace(chr(34), chr(34) * 2)}",{learners[number].email},{30 + number}\r\n'
        f'"{payload.replace(chr(34), chr(34) * 2)}",nobody{number}@elsewhere.example,5\r\n'
        f'Someone,"{payload.replace(chr(34), chr(34) * 2)}",7\r\n'
        for number, payload in enumerate(TEXT))
    imported = admin_client.post(f"/staff/sessions/{session.id}/attendance/import",
                                 data={"report": (io.BytesIO(report.encode()), f"{TEXT[0]}.csv"), "min_minutes": "0",
                                       "confirm_early": "y"}, content_type="multipart/form-data")
    assert imported.status_code == 200, imported.get_data(as_text=True)[-2000:]
    seen.check_response("admin POST attendance import", imported)

    # Forms sent back with an error show what was typed, in value attributes and text areas.
    typed = TEXT[8]
    other = db.session.execute(db.select(Cohort).filter_by(name=TEXT[1], enrolment_mode="application")).scalar_one()
    limiter.reset()
    for label, response, status in (
        ("anonymous POST /register with passwords that differ", app.test_client().post("/register", data={
            "display_name": typed, "organisation": typed, "job_title": typed, "city": typed, "country": "ES",
            "timezone": "UTC", "preferred_language": "en", "email": "someone@example.org",
            "password": DEFAULT_PASSWORD, "confirm": "another password 123"}), 422),
        ("learner POST /account with an unknown country", learner_clients[TEXT[9]].post("/account", data={
            "display_name": typed, "organisation": typed, "job_title": typed, "city": typed, "country": "XX",
            "timezone": "UTC", "preferred_language": "en"}), 422),
        ("learner POST apply without a letter", learner_clients[TEXT[9]].post(
            f"/programmes/cohorts/{other.id}/apply", data={
                "full_name": typed, "email": typed, "organisation": typed, "position": typed, "city": typed,
                "country": "ES", "language": "es", "motivation": typed}), 422),
        ("admin POST a cohort that ends before it starts", admin_client.post("/staff/cohorts/new", data={
            **cohort_form, "name": typed, "ends_on": "2000-01-01"}), 422),
        ("admin POST a certificate for nobody", admin_client.post("/certificates/admin/", data={
            "email": typed, "course": SLUG, "reason": typed}), 422),
        ("admin POST an instructor who is nobody", admin_client.post("/reports/instructors", data={
            "course": SLUG, "email": typed}), 422),
    ):
        assert response.status_code == status, (label, response.status_code)
        seen.check_response(label, response)
        assert " ".join(typed.split()) in seen.texts[label], label

    # The crawl, from the main pages and from pages that echo what is typed.
    reflected = [TEXT[0], TEXT[8], TEXT[9], TEXT[7]]
    admin_seeds = ["/", "/admin/", "/admin/users", "/staff/", "/reports/", "/author/", "/certificates/admin/",
                   f"/reports/{SLUG}/", f"/staff/cohorts/{main.id}/applications"]
    for payload in reflected:
        query = quote(payload)
        admin_seeds += [f"/admin/users?q={query}", f"/certificates/admin/?q={query}", f"/verify/?q={query}",
                        f"/courses/{query}/", f"/reports/{SLUG}/learners?q={query}&city={query}&organisation={query}",
                        f"/staff/cohorts/{main.id}/applications?city={query}&organisation={query}",
                        f"/admin/audit?actor={query}"]
    # Pages of one kind (a cohort, a session, a person…) share a template: the first ten of each kind are enough to
    # see the payloads that break out of attributes (the corpus starts with them); lists show every payload.
    seen.crawl("admin", admin_client, admin_seeds, per_pattern=10)
    seen.crawl("instructor", instructor_client, ["/", "/author/", "/staff/", "/reports/"], per_pattern=3)
    learner_seeds = ["/", "/learning", "/courses/", f"/courses/{SLUG}/", "/certificates", "/programmes/applications",
                     "/programmes/sessions", "/programmes/calendar", "/account", f"/programmes/courses/{SLUG}/cohorts"]
    seen.crawl(f"learner {TEXT[0]!r}", learner_clients[TEXT[0]], learner_seeds, per_pattern=len(MARKDOWN) + len(TEXT))
    for payload in (TEXT[8], TEXT[9], TEXT[3]):
        seen.crawl(f"learner {payload!r}", learner_clients[payload], learner_seeds, per_pattern=2)
    seen.crawl("anonymous", app.test_client(), ["/", "/courses/", *(f"/verify/{public_id}" for public_id in public_ids),
                                               *(f"/verify/?q={quote(payload)}" for payload in reflected)],
               per_pattern=10)
    seen.names = {user.id: user.display_name for user in learners}  # type: ignore[attr-defined]
    return seen


@pytest.fixture(scope="module")
def crawl(app, tmp_path_factory) -> Crawl:
    from lms.extensions import db

    with app.app_context():
        try:
            return _build_and_crawl(app, tmp_path_factory.mktemp("xss"))
        finally:
            db.session.rollback()
            db.session.remove()
            with db.engine.begin() as connection:
                for table in reversed(db.metadata.sorted_tables):
                    connection.execute(table.delete())
            limiter.reset()


def test_no_page_carries_anything_executable(crawl):
    assert len(crawl.texts) > 150, f"the crawl saw only {len(crawl.texts)} pages"
    assert not crawl.problems, "\n".join(f"{url}:\n  " + "\n  ".join(problems[:5])
                                         for url, problems in crawl.problems.items())


def test_no_page_crashed(crawl):
    assert not crawl.server_errors


def test_every_text_payload_came_back_as_text(crawl):
    everything = "\n".join(crawl.texts.values())
    missing = [payload for payload in TEXT if " ".join(payload.split()) not in everything]
    assert not missing


def test_csv_exports_neutralise_formulas(crawl):
    assert len(crawl.csv_files) >= 3, sorted(crawl.csv_files)
    cells = {cell for data in crawl.csv_files.values() for row in csv.reader(io.StringIO(data.decode("utf-8-sig")))
             for cell in row}
    # Names and answers are stored with their whitespace collapsed: "\t=1+1" comes back as "=1+1".
    formulas = {" ".join(payload.split()) for payload in TEXT if payload.startswith(FORMULA_STARTS)}
    assert len(formulas) >= 4
    assert not [formula for formula in formulas if "'" + formula not in cells], sorted(crawl.csv_files)


def test_certificate_pdfs_hold_the_name_as_text_in_their_metadata(crawl):
    assert crawl.pdfs
    for url, data in crawl.pdfs.items():
        metadata = PdfReader(io.BytesIO(data)).metadata
        # Worded in the learner's language (the corpus's people prefer several): the name and the title as text.
        subject = metadata["/Subject"]
        assert isinstance(subject, str) and any(subject.startswith(f"{name} ")
                                                for name in crawl.names.values()), (url, subject)
        assert f" XSS corpus {TEXT[0]}" in subject, (url, subject)
        assert metadata["/Title"].endswith(f": XSS corpus {TEXT[0]}"), (url, metadata["/Title"])
        assert pdf_problems(data) == []
