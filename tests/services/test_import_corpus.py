"""Every broken or hostile package of the corpus, sent through the real importer: the author gets exactly the
corpus's problems, and the database is left exactly as it was."""

import pytest

from lms.core.packages import package_zip_bytes
from lms.services import package_validation, publishing
from tests.core.packages.builders import valid_files
from tests.core.packages.test_broken_packages import CASES
from tests.factories import table_counts


@pytest.fixture
def published(db):
    """A course already published, so a refused import has something it could have damaged."""
    publishing.import_package(None, package_zip_bytes(valid_files(), root="street-trees"), publish=True)


@pytest.mark.parametrize("files, expected", CASES.values(), ids=CASES.keys())
def test_a_refused_package_reports_its_problems_and_changes_nothing(db, published, files, expected):
    before = table_counts(db)
    with pytest.raises(package_validation.PackageRejected) as refused:
        publishing.import_package(None, package_zip_bytes(files, root="street-trees"))
    assert [str(problem) for problem in refused.value.problems] == expected
    assert table_counts(db) == before
