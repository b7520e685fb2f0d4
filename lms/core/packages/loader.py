"""load_package: from a folder, a .zip or zip bytes to a checked, rendered, hashed Package, or every problem at once.

The steps: gather the files (files.py); read course.yaml, then each listed module's module.yaml, lessons and quiz, each
checked against its spec (validate.py); check the package's layout (every file where it belongs, every lesson and
module listed); the package-wide rules (crosscheck.py); render all Markdown once, which also checks every link and
image; and only when nothing is wrong, build the model (build.py).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from lms.core.packages import translation_build
from lms.core.packages import translations as translating
from lms.core.packages.build import build_package
from lms.core.packages.crosscheck import COURSE_FILE, check_package
from lms.core.packages.fields import Spec
from lms.core.packages.files import (
    ASSETS,
    Limits,
    PackageFile,
    PackageSource,
    case_hint,
    collect_files,
    source_cost_problem,
)
from lms.core.packages.model import LoadResult, Problem
from lms.core.packages.parsed import ParsedLesson, ParsedModule, ParsedPackage
from lms.core.packages.render import LinkBuilder, LinkTargets, MarkdownRenderer, PlaceholderLinks
from lms.core.packages.spec import COURSE, LESSON_FRONT_MATTER, MODULE, QUIZ
from lms.core.packages.validate import Record, check_document
from lms.core.packages.video import read_videos
from lms.core.packages.video_place import render_lesson_body
from lms.core.packages.yamlio import parse_yaml, split_front_matter

MODULE_FILE = "module.yaml"
QUIZ_FILE = "quiz.yaml"


DEFAULT_LIMITS = Limits()


def load_package(source: PackageSource, *, limits: Limits = DEFAULT_LIMITS,
                 links: LinkBuilder | None = None, name: str | None = None,
                 video_hosts: Collection[str] = ()) -> LoadResult:
    """Load and check a package. Never raises for anything in the package: every problem is in the result, sorted by
    file and line. ``links`` decides the URLs of lessons and assets in the rendered HTML (placeholders if None).
    ``video_hosts``: the hosts whose players a lesson's external video may use (the site's configuration)."""
    collected = collect_files(source, limits, name)
    problems = list(collected.problems)
    if collected.stopped:
        return LoadResult(None, _sorted(problems))
    if (too_costly := source_cost_problem(collected.files, limits)) is not None:
        return LoadResult(None, _sorted([*problems, too_costly]))  # nothing parsed: that is the cost refused
    loader = _PackageReader(collected.files, collected.refused, problems)
    parsed = loader.read()
    if parsed is None:
        return LoadResult(None, _sorted(problems))
    check_package(parsed, set(collected.files) | collected.refused, problems)
    read_videos(parsed, collected.files, set(collected.files) | collected.refused, video_hosts, problems)
    translations = translating.read_translations(parsed.translation_names, parsed, collected.files, problems)
    renderer = MarkdownRenderer(_link_targets(parsed, collected.files, collected.refused),
                                links or PlaceholderLinks(), element_budget=limits.max_markdown_elements)
    # A lesson that declares a video, even one with problems of its own: its marker is not a further problem.
    with_video = {lesson.path for module in parsed.modules for lesson in module.lessons
                  if lesson.front is not None and "video" in lesson.front.lines}
    _render(parsed, renderer, with_video, problems)
    translation_build.render_translations(translations, renderer, with_video, problems)
    files = translating.translation_files(translations)
    quizzes = [m.quiz_path for m in parsed.modules if m.quiz is not None]
    known = {"warnings": _sorted(translating.freshness_warnings(translations)), "translation_files": files,
             "coverage": translating.coverage(parsed.languages, parsed, files, quizzes)}
    if problems:
        return LoadResult(None, _sorted(problems), **known)
    package = build_package(parsed, collected.files)
    package = replace(package, translations=translation_build.build_translations(translations, package))
    return LoadResult(package, (), **known)


def _sorted(problems: list[Problem]) -> tuple[Problem, ...]:
    unique = dict.fromkeys(problems)  # the same problem found twice (a file refused twice over) is shown once
    return tuple(sorted(unique, key=lambda p: (p.file, p.line)))


class _PackageReader:
    def __init__(self, files: dict[str, PackageFile], refused: set[str], problems: list[Problem]) -> None:
        self.files = files
        self.refused = refused
        self.problems = problems

    def _report(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(file, line, message))

    def _text(self, path: str) -> str:
        data = self.files[path]
        assert isinstance(data, bytes), "only audio and video are MediaFiles, and no text is read from them"
        return data.decode("utf-8")  # text files were checked to be UTF-8 when gathered

    def _manifest(self, path: str, spec: Spec) -> Record | None:
        node, problems = parse_yaml(self._text(path), path)
        self.problems.extend(problems)
        if problems and node is None:
            return None  # unreadable: the syntax error says why
        return check_document(node, spec, path, self.problems)

    def read(self) -> ParsedPackage | None:
        if COURSE_FILE not in self.files:
            if COURSE_FILE not in self.refused:
                hint = " (rename course.yml to course.yaml)" if "course.yml" in self.files else ""
                self._report(COURSE_FILE, 0, f"missing: the package root must contain course.yaml{hint}")
            return None
        course = self._manifest(COURSE_FILE, COURSE)
        if course is None:
            return None
        languages = translating.declared_languages(course, self.problems)
        modules = self._modules(course)
        listed = course.get("modules")
        parsed = ParsedPackage(course, modules, all_modules_read=listed is not None and len(modules) == len(listed),
                               languages=languages)
        if listed is not None:
            parsed.translation_names = self._check_layout(modules, set(listed), languages)
        return parsed

    def _modules(self, course: Record) -> list[ParsedModule]:
        modules: list[ParsedModule] = []
        seen: dict[str, int] = {}
        for folder, line in course.located_items("modules"):
            if folder in seen:
                self._report(COURSE_FILE, line, f"module folder '{folder}' is listed twice (first at line "
                                                f"{seen[folder]})")
                continue
            seen[folder] = line
            if folder == "assets":
                self._report(COURSE_FILE, line, "'assets' holds images and documents; it cannot be a module folder")
                continue
            manifest = f"{folder}/{MODULE_FILE}"
            if manifest not in self.files:
                if manifest not in self.refused:
                    exists = any(path.startswith(f"{folder}/") for path in (*self.files, *self.refused))
                    folders = {path.split("/", 1)[0] for path in (*self.files, *self.refused) if "/" in path}
                    advice = case_hint(folder, folders) or "; create it with a module.yaml, or remove it here"
                    message = f"module folder '{folder}' has no module.yaml" if exists else \
                        f"module folder '{folder}' does not exist{advice}"
                    self._report(COURSE_FILE, line, message)
                continue
            record = self._manifest(manifest, MODULE)
            if record is None:
                continue
            module = ParsedModule(folder, line, record)
            module.lessons = self._lessons(module)
            if module.quiz_path in self.files:
                module.quiz = self._manifest(module.quiz_path, QUIZ)
            modules.append(module)
        return modules

    def _lessons(self, module: ParsedModule) -> list[ParsedLesson]:
        lessons: list[ParsedLesson] = []
        seen: dict[str, int] = {}
        for name, line in module.record.located_items("lessons"):
            path = f"{module.folder}/{name}"
            if name in seen:
                self._report(module.manifest, line,
                             f"lesson file '{name}' is listed twice (first at line {seen[name]})")
                continue
            seen[name] = line
            if path not in self.files:
                if path not in self.refused:
                    self._report(module.manifest, line, f"lesson file '{name}' does not exist in {module.folder}/"
                                                        f"{case_hint(path, self.files)}")
                continue
            lessons.append(self._lesson(path))
        return lessons

    def _lesson(self, path: str) -> ParsedLesson:
        text = self._text(path)
        front = split_front_matter(text)
        if front is None:
            message = ("front matter is not closed; end it with a line '---'" if text.startswith("---") else
                       "the lesson has no front matter; start the file with a line '---', then id, title and "
                       "minutes, then a line '---'")
            self._report(path, 1, message)
            return ParsedLesson(path, None, text, 1)
        node, problems = parse_yaml(front.yaml_text, path, front.yaml_line_offset)
        self.problems.extend(problems)
        record = None if problems and node is None else \
            check_document(node, LESSON_FRONT_MATTER, path, self.problems, line=1)
        return ParsedLesson(path, record, front.body, front.body_line_offset + 1)

    def _translation(self, path: str, modules: list[ParsedModule], languages: tuple[str, ...]
                     ) -> tuple[bool, translating.TranslationName | None]:
        """(whether ``path`` is named as a translation of a source in the package, that translation if usable).
        A name like a translation's whose source is not in the package is left to the layout's own messages,
        unless its language is declared (then it is surely a translation of a missing source)."""
        name = translating.translation_name(path)
        if name is None or path not in self.files:
            return False, None
        sources = {COURSE_FILE} | {p for m in modules for p in (
            m.manifest, *((m.quiz_path,) if m.quiz_path in self.files else ()), *(lesson.path for lesson in m.lessons))}
        source_exists = name.source_path in sources or name.source_path in self.files
        declared = name.language in languages
        if not source_exists:
            if not declared:
                return False, None
            self._report(path, 0, f"translation of {name.source_path}, which is not in the package; rename it "
                                  "after its source, or remove it")
            return True, None
        if languages and name.language == languages[0]:
            self._report(path, 0, f"'{name.language}' is the source language (the first of course.yaml's "
                                  f"languages): the source text is {name.source_path}; remove this file")
            return True, None
        if not declared:
            listed = ", ".join(languages[1:]) or "none"
            self._report(path, 0, f"translation into '{name.language}', a language course.yaml does not declare "
                                  f"(its translation languages: {listed}); add it to languages, or remove the file")
            return True, None
        if name.source_path not in sources:
            return True, None  # an unlisted or unreadable source: reported as such
        return True, name

    def _check_layout(self, modules: list[ParsedModule], listed_folders: set[str],
                      languages: tuple[str, ...]) -> list[translating.TranslationName]:
        """Every file must be where the format puts it, and every lesson and module folder must be listed: an
        unlisted one would silently never reach learners. Returns the translation files found."""
        by_folder = {m.folder: m for m in modules}
        reported_folders: set[str] = set()
        found: list[translating.TranslationName] = []
        for path in sorted(self.files):
            if path == COURSE_FILE or path.startswith(ASSETS):
                continue
            folder, _, rest = path.partition("/")
            module = by_folder.get(folder)
            if not (module is not None and path in {lesson.path for lesson in module.lessons}):
                is_translation, name = self._translation(path, modules, languages)
                if is_translation:
                    if name is not None:
                        found.append(name)
                    continue
            if not rest:
                if not path.endswith(".md"):  # Markdown at the root is authors' notes (README.md), not served
                    self._report(path, 0, "unexpected file at the package root; the root holds course.yaml, its "
                                          "translations (course.<language>.yaml), assets/ and one folder per module")
                continue
            if folder not in listed_folders:
                if folder.casefold() in {listed.casefold() for listed in listed_folders}:
                    continue  # listed with other upper and lower case: reported at the listing
                if folder not in reported_folders:
                    reported_folders.add(folder)
                    self._report(path, 0, f"folder '{folder}' is not listed in course.yaml's modules; add it there "
                                          "or remove the folder")
                continue
            if "/" in rest:
                self._report(path, 0, f"module folders have no subfolders: put lessons directly in {folder}/ and "
                                      "images in assets/")
            elif rest.endswith(".md"):
                module = by_folder.get(folder)
                listed = module.record.get("lessons") if module is not None else None
                if listed is not None and rest.casefold() not in {name.casefold() for name in listed}:
                    # None: unreadable lessons, reported already; listed in other case: reported at the listing
                    self._report(path, 0, f"lesson file is not listed in {folder}/module.yaml's lessons; add it "
                                          "there or remove the file")
            elif rest not in (MODULE_FILE, QUIZ_FILE):
                self._report(path, 0, f"unexpected file; a module folder holds {MODULE_FILE}, an optional "
                                      f"{QUIZ_FILE}, its lessons (.md) and their translations "
                                      "(<name>.<language>.md or .yaml)")
        return found


def _link_targets(parsed: ParsedPackage, files: dict[str, PackageFile], refused: set[str]) -> LinkTargets:
    lessons = [lesson for module in parsed.modules for lesson in module.lessons]
    return LinkTargets(
        lesson_ids={lesson.path: lesson.front.get("id") for lesson in lessons
                    if lesson.front is not None and lesson.front.has("id")},
        lesson_paths={f"{m.folder}/{name}" for m in parsed.modules for name in m.record.get("lessons", [])},
        files=set(files) | refused,
    )


def _render(parsed: ParsedPackage, renderer: MarkdownRenderer, with_video: set[str], problems: list[Problem]) -> None:
    """Render every Markdown text once; the renderer reports broken links and images as it goes."""
    lessons = [lesson for module in parsed.modules for lesson in module.lessons]
    course = parsed.course
    if course.get("eligibility"):
        course.html["eligibility"] = renderer.block(course.get("eligibility"), file=COURSE_FILE,
                                                    line=course.line_of("eligibility"), problems=problems,
                                                    exact_lines=False)
    for lesson in lessons:
        lesson.html = render_lesson_body(renderer, lesson.body, file=lesson.path, line=lesson.body_line,
                                         has_video=lesson.path in with_video, problems=problems)
    for module in parsed.modules:
        if module.quiz is None:
            continue
        for question in module.quiz.get("questions", []):
            if question.has("prompt"):
                question.html["prompt"] = renderer.block(question.get("prompt"), file=module.quiz_path,
                                                         line=question.line_of("prompt"), problems=problems,
                                                         exact_lines=False)
            for choice in question.get("choices", []):
                if choice.has("text"):
                    choice.html["text"] = renderer.inline(choice.get("text"), file=module.quiz_path,
                                                          line=choice.line_of("text"), problems=problems)

