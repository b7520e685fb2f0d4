"""Course packages: load a folder or zip into a checked, rendered, hashed Package; diff two; export one.

This layer is pure: no Flask, no database, no writing to disk. See docs/course-packages.md for the file format.
"""

from lms.core.packages.diff import PackageDiff, QuizChange, diff_packages
from lms.core.packages.files import Limits
from lms.core.packages.loader import load_package
from lms.core.packages.media import MediaFile
from lms.core.packages.model import (
    Asset,
    CertificateRule,
    Choice,
    CohortSession,
    CohortSpec,
    CompletionRule,
    EnrolmentMode,
    Issuer,
    LanguageCoverage,
    Lesson,
    LoadResult,
    Module,
    Package,
    Person,
    Problem,
    Question,
    QuestionType,
    Quiz,
    Resource,
    ReviewOptions,
    ReviewTime,
    ScorePolicy,
    SessionTemplate,
    Translation,
    TranslationFile,
)
from lms.core.packages.render import LinkBuilder, PlaceholderLinks
from lms.core.packages.schema import json_schemas
from lms.core.packages.zipio import package_zip_bytes, write_package_zip

__all__ = [
    "Asset",
    "CertificateRule",
    "Choice",
    "CohortSession",
    "CohortSpec",
    "CompletionRule",
    "EnrolmentMode",
    "Issuer",
    "LanguageCoverage",
    "Lesson",
    "Limits",
    "LinkBuilder",
    "LoadResult",
    "MediaFile",
    "Module",
    "Package",
    "PackageDiff",
    "Person",
    "PlaceholderLinks",
    "Problem",
    "Question",
    "QuestionType",
    "Quiz",
    "QuizChange",
    "Resource",
    "ReviewOptions",
    "ReviewTime",
    "ScorePolicy",
    "SessionTemplate",
    "Translation",
    "TranslationFile",
    "diff_packages",
    "json_schemas",
    "load_package",
    "package_zip_bytes",
    "write_package_zip",
]
