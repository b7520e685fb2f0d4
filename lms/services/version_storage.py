"""A validated package written into the database as a new draft version: its modules, lessons, translations, files
and the manifest its pages read. Rows only: the caller (lms.services.publishing) decides when to commit."""

from __future__ import annotations

from lms.core.packages import MediaFile, Package, Translation
from lms.extensions import db
from lms.models import Course, CourseVersion, User, VersionFile, VersionLesson, VersionModule, VersionTranslation
from lms.services.course_versions import version_key
from lms.services.video_lessons import video_record
from lms.storage import FileStore, StoredFile, file_store


def _manifest(package: Package) -> dict:
    completion, certificate = package.completion, package.certificate
    return {
        "authors": [{"name": a.name, "organisation": a.organisation} for a in package.authors],
        "licence": package.licence,
        "eligibility_html": package.eligibility_html,
        "resources": [{"title": r.title, "url": r.url, "description": r.description} for r in package.resources],
        "live_sessions": [{"id": s.id, "title": s.title, "description": s.description,
                           "duration_minutes": s.duration_minutes} for s in package.live_sessions],
        "completion": {"required_modules": list(completion.required_modules),
                       "min_sessions_attended": completion.min_sessions_attended,
                       "min_reflections": completion.min_reflections},
        # Each lesson's reflection question (source language), by lesson id: the lesson page and the progress rule.
        "reflections": {lesson.id: lesson.reflection for lesson in package.lessons if lesson.reflection},
        "certificate": {"enabled": certificate.enabled, "hours": certificate.hours,
                        "issuers": [{"name": i.name, "url": i.url} for i in certificate.issuers]},
        "cohorts": [{"id": c.id, "name": c.name} for c in package.cohorts],
        "cover": {"image": package.cover.image, "alt": package.cover.alt} if package.cover else None,
    }


def store_version(course: Course, package: Package, actor: User | None) -> CourseVersion:
    major, minor, patch = version_key(package.version)
    version = CourseVersion(
        course=course, version=package.version, version_major=major, version_minor=minor, version_patch=patch,
        content_hash=package.content_hash, status="draft", is_current=False, title=package.title,
        summary=package.summary, language=package.language,
        languages=" ".join(package.languages) if len(package.languages) > 1 else "",
        estimated_hours=package.estimated_hours,
        enrolment_mode=package.enrolment.value, manifest=_manifest(package),
        imported_by_id=actor.id if actor else None,
    )
    db.session.add(version)
    for position, module in enumerate(package.modules):
        module_row = VersionModule(
            version=version, module_key=module.id, position=position, title=module.title, summary=module.summary,
            required=module.required, quiz_key=module.quiz.id if module.quiz else None,
            quiz_title=module.quiz.title if module.quiz else None,
            quiz_hash=module.quiz.content_hash if module.quiz else None,
        )
        db.session.add(module_row)
        for lesson_position, lesson in enumerate(module.lessons):
            db.session.add(VersionLesson(
                version=version, module=module_row, lesson_key=lesson.id, position=lesson_position,
                title=lesson.title, minutes=lesson.minutes, required=lesson.required,
                reset_progress=lesson.reset_progress, content_hash=lesson.content_hash, html=lesson.html,
                video=video_record(lesson.video, package)))
    for translation in package.translations:
        db.session.add(_translation_row(version, translation))
    media_types = {asset.path: asset.media_type for asset in package.assets}
    store = file_store()
    for path, data in sorted(package.files.items()):
        stored = _put(store, path, data)
        db.session.add(VersionFile(
            version=version, path=path, media_type=media_types.get(path, _text_media_type(path)), size=stored.size,
            sha256=stored.sha256,
        ))
    return version


def _put(store: FileStore, path: str, data: bytes | MediaFile) -> StoredFile:
    if not isinstance(data, MediaFile):
        return store.put(data)
    with data.open() as stream:  # copied from the upload in chunks, never whole in memory
        stored = store.put_stream(stream)
    if stored.sha256 != data.sha256:
        raise RuntimeError(f"{path} changed between its validation and its storage")
    return stored


def _translation_row(version: CourseVersion, translation: Translation) -> VersionTranslation:
    data = None
    if translation.kind == "course":
        data = {"resources": [{"title": r.title, "url": r.url, "description": r.description}
                              for r in translation.resources],
                "live_sessions": [{"id": s.id, "title": s.title, "description": s.description,
                                   "duration_minutes": s.duration_minutes} for s in translation.live_sessions]}
    elif translation.kind == "lesson" and translation.reflection:
        data = {"reflection": translation.reflection}
    return VersionTranslation(
        version=version, language=translation.language, kind=translation.kind, item_key=translation.key,
        path=translation.path, title=translation.title, summary=translation.summary, html=translation.html, data=data,
        recorded_hash=translation.recorded_hash, current_hash=translation.current_hash,
    )


def _text_media_type(path: str) -> str:
    if path.endswith((".yaml", ".yml")):
        return "application/yaml"
    if path.endswith(".md"):
        return "text/markdown; charset=utf-8"
    return "application/octet-stream"



