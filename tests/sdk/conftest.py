"""Fixtures for the SDK tests: generate the examples, import the generated packages, brokers.

Broker fixtures come from the runtime suites' conftests (Tansu Kafka, RabbitMQ, the RocketMQ test
proxy, Mosquitto and NATS checks), imported here so both suites start them the same way.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from runtime.conftest import KAFKA_CONSUMER, kafka_bootstrap, rabbitmq_url
from runtime_ext.conftest import mosquitto, nats_server, rocketmq_proxy

from eventapi.generators.diagnostics import Severity
from eventapi.generators.output import write_outputs
from eventapi.generators.pipeline import load_and_check, render
from eventapi.generators.registry import OutputFile

__all__ = [
    "KAFKA_CONSUMER",
    "kafka_bootstrap",
    "mosquitto",
    "nats_server",
    "rabbitmq_url",
    "rocketmq_proxy",
]

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
GOLDEN = Path(__file__).resolve().parent / "golden"
TESTDATA = Path(__file__).resolve().parent / "testdata"


def generate(paths: list[Path], includes: list[Path] | None = None) -> list[OutputFile]:
    """What `eventapi-lsp --generate --only sdk` writes for `paths` (errors fail the test)."""
    checked = load_and_check([str(p) for p in paths], [str(i) for i in includes or []])
    errors = [d for d in checked.diagnostics if d.severity == Severity.ERROR]
    assert not errors, [f"{d.path}: {d.code} {d.message}" for d in errors]
    outputs, skipped = render(checked, only=("sdk",))
    assert not skipped
    return outputs


def write(out: Path, outputs: list[OutputFile]) -> None:
    report = write_outputs(str(out), outputs)
    assert not report.problems, report.problems


def import_fresh(root: Path, module: str) -> ModuleType:
    """Import `module` from `root`, forgetting any earlier import of its top-level package."""
    top = module.split(".", maxsplit=1)[0]
    for name in [m for m in sys.modules if m == top or m.startswith(top + ".")]:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    try:
        importlib.invalidate_caches()
        return importlib.import_module(module)
    finally:
        sys.path.remove(str(root))


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Both examples generated into one output root, which is on sys.path for the session."""
    out = tmp_path_factory.mktemp("gen")
    outputs = generate([EXAMPLES / "user_event_bus"]) + generate([EXAMPLES / "commerce"])
    write(out, outputs + generate([TESTDATA / "kinds.proto"]))
    sys.path.insert(0, str(out))
    try:
        yield out
    finally:
        sys.path.remove(str(out))
