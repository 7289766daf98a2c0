"""Fixtures for the protoc plugin tests: protoc's real request per example, made once per session."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from google.protobuf.compiler import plugin_pb2

from eventapi.generators.loader import Loader
from eventapi.generators.model.workspace import Workspace
from eventapi.generators.plugin_writer import Recreated
from eventapi.generators.protoc_plugin import recreate_request

from .helpers import EXAMPLES, TESTDATA, discover, request

# Every input the plugins must reproduce: the shipped examples and the plugin's own fixtures.
CASES = {
    "user_event_bus": EXAMPLES / "user_event_bus",
    "commerce": EXAMPLES / "commerce",
    "roundtrip": TESTDATA / "roundtrip",
    "comments": TESTDATA / "comments",
    "errors": TESTDATA / "errors",
    "map_order": TESTDATA / "map_order",
}


@dataclass
class Case:
    name: str
    root: Path
    files: list[str]
    request: plugin_pb2.CodeGeneratorRequest
    sources: dict[str, Recreated]
    recreated_root: Path

    def original(self) -> Workspace:
        return Loader([str(self.root)]).load([str(self.root / f) for f in self.files])[0]

    def recreated(self) -> Workspace:
        root = self.recreated_root
        return Loader([str(root)]).load([str(root / f) for f in self.files])[0]


CaseFactory = Callable[[str], Case]


@pytest.fixture(scope="session")
def make_case(tmp_path_factory: pytest.TempPathFactory) -> CaseFactory:
    """Build (once) the protoc request and the re-created sources of one named case."""
    made: dict[str, Case] = {}

    def make(name: str) -> Case:
        if name not in made:
            root = CASES[name]
            tmp = tmp_path_factory.mktemp(name)
            files = discover(root)
            req = request(root, files, tmp)
            sources = recreate_request(req)
            out = tmp / "recreated"
            for file, rec in sources.items():
                path = out / file
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(rec.text, encoding="utf-8")
            made[name] = Case(name, root, files, req, sources, out)
        return made[name]

    return make


@pytest.fixture(params=sorted(CASES))
def case(request: pytest.FixtureRequest, make_case: CaseFactory) -> Case:
    return make_case(request.param)
