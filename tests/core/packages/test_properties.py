"""Whatever is done to a valid package, loading it returns a LoadResult: a package, or problems. Never an exception."""

from __future__ import annotations

import io
import warnings
import zipfile

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lms.core.packages import LoadResult, Problem, load_package
from lms.core.packages.yamlio import parse_yaml
from tests.core.packages.builders import valid_files, zip_bytes

V = valid_files()
TEXT_FILES = sorted(path for path in V if path.endswith((".yaml", ".md")))
SETTINGS = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

# Values YAML reads as other types than the spec wants, and text that YAML or Markdown treat specially.
ODD_VALUES = ["", "~", "null", "[]", "{}", "[1, 2]", "{a: 1}", "yes", "no", "-1", "0", "1e999", ".nan", "0x1F",
              "2030-02-30", "12:30:00", "'", '"', "&a x", "*a", "!!binary aGk=", "!!set {a}", "|", ">", "- x",
              "? x", "@", "`", "%TAG", "---", "...", "\t", "[[[[", "}", "#", "x: y: z", "\x00", "\u2028"]


def _mutate_text(text: str, data: st.DataObject) -> str:
    lines = text.split("\n")
    kind = data.draw(st.sampled_from(["delete line", "duplicate line", "swap lines", "insert text", "truncate",
                                      "change value", "delete key", "indent", "odd value"]))
    index = data.draw(st.integers(0, max(len(lines) - 1, 0)))
    if kind == "delete line":
        del lines[index]
    elif kind == "duplicate line":
        lines.insert(index, lines[index])
    elif kind == "swap lines":
        other = data.draw(st.integers(0, len(lines) - 1))
        lines[index], lines[other] = lines[other], lines[index]
    elif kind == "insert text":
        lines.insert(index, data.draw(st.text(max_size=40)))
    elif kind == "truncate":
        return text[: data.draw(st.integers(0, len(text)))]
    elif kind in ("change value", "odd value"):
        key, sep, _ = lines[index].partition(": ")
        replacement = data.draw(st.sampled_from(ODD_VALUES) if kind == "odd value" else st.text(max_size=20))
        lines[index] = f"{key}{sep or ': '}{replacement}"
    elif kind == "delete key":
        keyed = [n for n, line in enumerate(lines) if ":" in line]
        if keyed:
            del lines[data.draw(st.sampled_from(keyed))]
    else:
        lines[index] = " " * data.draw(st.integers(1, 6)) + lines[index]
    return "\n".join(lines)


def _assert_well_formed(result: LoadResult) -> None:
    assert isinstance(result, LoadResult)
    assert all(isinstance(p, Problem) and p.message and p.line >= 0 for p in result.problems)
    assert list(result.problems) == sorted(result.problems, key=lambda p: (p.file, p.line))
    assert (result.package is None) == bool(result.problems)


@SETTINGS
@given(st.data())
def test_mutating_text_files_never_raises(data):
    files = dict(V)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(TEXT_FILES))
        files[path] = _mutate_text(files[path].decode("utf-8"), data).encode("utf-8", "surrogatepass")
    _assert_well_formed(load_package(zip_bytes(files)))


@SETTINGS
@given(path=st.sampled_from(sorted(V)), junk=st.binary(max_size=64), position=st.integers(0, 2000))
def test_inserting_random_bytes_never_raises(path, junk, position):
    data = V[path]
    files = {**V, path: data[:position] + junk + data[position:]}
    _assert_well_formed(load_package(zip_bytes(files)))


@SETTINGS
@given(removed=st.sets(st.sampled_from(sorted(V)), max_size=3),
       added=st.dictionaries(st.text(min_size=1, max_size=30), st.binary(max_size=30), max_size=3))
@example(removed=set(), added={"0": b"", "0\x00": b""})  # found by CI: two names that zipfile writes as one
def test_removing_and_adding_files_never_raises(removed, added):
    files = {path: data for path, data in V.items() if path not in removed}
    buffer = io.BytesIO()
    # zipfile cuts a name at NUL, so two generated names may become one: the archive then holds a duplicate entry,
    # which is hostile input the loader must survive too (zipfile only warns about it).
    with zipfile.ZipFile(buffer, "w") as archive, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Duplicate name", UserWarning)
        for path, data in {**files, **added}.items():
            try:
                archive.writestr(path, data)
            except (ValueError, UnicodeEncodeError, IndexError):  # names zipfile itself cannot write
                continue
    _assert_well_formed(load_package(buffer.getvalue()))


VALID_ZIP = zip_bytes(V)


@SETTINGS
@given(position=st.integers(0, len(VALID_ZIP) - 1), junk=st.binary(min_size=1, max_size=16))
def test_damaging_the_zip_never_raises(position, junk):
    damaged = VALID_ZIP[:position] + junk + VALID_ZIP[position + len(junk):]
    _assert_well_formed(load_package(damaged))


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data):
    _assert_well_formed(load_package(data))


@SETTINGS
@given(st.text(max_size=300))
def test_any_yaml_text_gives_nodes_or_problems(text):
    node, problems = parse_yaml(text, "x.yaml")
    assert node is not None or problems or not text.strip() or text.lstrip().startswith(("#", "---", "..."))
