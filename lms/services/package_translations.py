"""Translation files of a package folder on disk: which are current, stale or missing, and stamping them.

`flask lms translations stamp` records in each translation which version of its source it translates (the hash of the
source's texts, lms.core.packages.translations), editing only the `source_hash` line; `status` lists, per language, the
files that are complete, stale or missing. Nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from lms.core.packages import LoadResult, TranslationFile, load_package
from lms.core.packages.source_hashes import stamp_text
from lms.core.packages.translations import translation_name
from lms.services.errors import Invalid


@dataclass(frozen=True)
class StampOutcome:
    stamped: tuple[TranslationFile, ...]  # files whose source_hash was written
    unchanged: tuple[TranslationFile, ...]  # already current
    skipped: tuple[tuple[str, str], ...]  # (path, why)
    result: LoadResult  # the package as loaded before stamping (its problems are worth showing)


def _folder(path: str | Path) -> Path:
    folder = Path(path)
    if not folder.is_dir():
        raise Invalid(_("%(path)s: not a package folder (translations are stamped in the folder the translators "
                        "edit, not in a .zip)", path=path))
    if not (folder / "course.yaml").is_file():
        raise Invalid(_("%(path)s: no course.yaml in this folder", path=path))
    return folder


def status(path: str | Path) -> LoadResult:
    """The package as loaded: its coverage per language and every translation file with its state."""
    return load_package(_folder(path))


def stamp(path: str | Path, language: str | None = None) -> StampOutcome:
    """Write the current source hash into every translation file (of ``language`` only, when given) that lacks it or
    records another: the files are edited in place, only the `source_hash` line changing (or inserted)."""
    folder = _folder(path)
    result = load_package(folder)
    if language is not None and result.coverage and language not in {c.language for c in result.coverage}:
        declared = ", ".join(c.language for c in result.coverage) or _("none")
        raise Invalid(_("'%(language)s' is not a translation language of this package (course.yaml declares: "
                        "%(declared)s)", language=language, declared=declared))
    stamped, unchanged, skipped = [], [], []
    for file in result.translation_files:
        if language is not None and file.language != language:
            continue
        if file.current_hash is None:
            skipped.append((file.path, f"{file.source_path} could not be read"))
            continue
        if file.state == "current":
            unchanged.append(file)
            continue
        name = translation_name(file.path)
        assert name is not None  # it was found by its name
        target = folder / file.path
        text = target.read_bytes().decode("utf-8-sig")
        new_text = stamp_text(text, name.kind, file.current_hash)
        if new_text is None:
            skipped.append((file.path, "no front matter to put the source_hash in"))
            continue
        target.write_bytes(new_text.encode("utf-8"))
        stamped.append(file)
    return StampOutcome(tuple(stamped), tuple(unchanged), tuple(skipped), result)
