"""One fixture per diagnostic code: the code fires with its severity at exactly the marked range."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eventapi.generators.diagnostics import Severity
from eventapi.generators.pipeline import load_and_check
from eventapi.generators.rules.catalog import CATALOG

DATA = Path(__file__).parent / "testdata" / "diagnostics"
FIXTURES = sorted(p for p in DATA.iterdir() if re.match(r"EA\d{3}_", p.name))
_MARK = re.compile(r"/\*<\*/(.*?)/\*>\*/", re.DOTALL)
# Codes whose fixtures cannot avoid a second, expected finding.
_ALSO_ALLOWED = {
    "EA101_operation_without_server.proto": {"EA201"},
    "EA104_server_without_operations.proto": {"EA201"},
    "EA004_unknown_option_field.proto": {"EA203"},  # the address is missing, too
}


def marked(path: Path) -> tuple[int, int, int, int] | None:
    text = path.read_text(encoding="utf-8")
    m = _MARK.search(text)
    if m is None:
        return None
    start = m.start(1)
    before = text[:start]
    line = before.count("\n")
    col = start - (before.rfind("\n") + 1)
    inner = m.group(1)
    end_line = line + inner.count("\n")
    end_col = (col + len(inner)) if "\n" not in inner else len(inner) - inner.rfind("\n") - 1
    return line, col, end_line, end_col


def _marked_file(fixture: Path) -> tuple[Path, tuple[int, int, int, int]]:
    files = sorted(fixture.glob("*.proto")) if fixture.is_dir() else [fixture]
    for f in files:
        span = marked(f)
        if span is not None:
            return f, span
    raise AssertionError(f"{fixture.name} has no /*<*/ ... /*>*/ marker")


def test_every_code_has_a_fixture() -> None:
    covered = {p.name[:5] for p in FIXTURES}
    missing = sorted(c for c in CATALOG if c not in covered and not c.startswith("EA9"))
    assert missing == []


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_fixture(fixture: Path) -> None:
    code = fixture.name[:5]
    path, span = _marked_file(fixture)
    checked = load_and_check([str(fixture)], [])
    found = [d for d in checked.diagnostics if d.code == code]
    assert found, f"{code} not reported; got {[d.format() for d in checked.diagnostics]}"
    spans = [
        (d.span.start_line, d.span.start_col, d.span.end_line, d.span.end_col)
        for d in found
        if d.path == str(path.resolve())
    ]
    assert span in spans, f"{code} at {spans}, expected {span}"
    d = found[0]
    expected = CATALOG[code][0]
    if code == "EA209" and d.severity == Severity.INFORMATION:
        expected = Severity.INFORMATION
    assert d.severity == expected
    assert d.message and code not in d.message
    allowed = {code} | _ALSO_ALLOWED.get(fixture.name, set())
    others = [
        x.format()
        for x in checked.diagnostics
        if x.code not in allowed and x.severity == Severity.ERROR
    ]
    assert others == [], f"unexpected errors besides {code}"


def test_every_range_lies_inside_its_own_file() -> None:
    # A diagnostic names its file and a range of that file's text, never a range of another file.
    checked = load_and_check([str(DATA)], [])
    assert checked.diagnostics
    for d in checked.diagnostics:
        lines = checked.workspace.files[d.path].text.split("\n")
        s = d.span
        assert s.end_line < len(lines), d.format()
        assert s.start_col <= len(lines[s.start_line]), d.format()
        assert s.end_col <= len(lines[s.end_line]), d.format()
