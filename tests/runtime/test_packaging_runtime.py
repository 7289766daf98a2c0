"""The runtime installs per broker: a missing client fails at import with the extra to install,
and nothing in runtime/ imports the generator or language-server stacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

RUNTIME = Path(__file__).resolve().parents[2] / "runtime"


def test_missing_client_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['confluent_kafka'] = None\n"
        "try:\n"
        "    import eventapi.runtime.transports.kafka\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'eventapi[kafka]'" in out.stdout


def test_bindings_and_codecs_import_without_any_broker_client() -> None:
    blocked = ["confluent_kafka", "aio_pika", "aiomqtt", "nats", "rocketmq", "jinja2", "pygls"]
    code = (
        "import sys\n"
        f"for name in {blocked!r}: sys.modules[name] = None\n"
        "import eventapi.runtime.bindings.kafka, eventapi.runtime.bindings.amqp\n"
        "import eventapi.runtime.bindings.mqtt, eventapi.runtime.bindings.nats\n"
        "import eventapi.runtime.bindings.rocketmq, eventapi.runtime.codecs.event\n"
        "import eventapi.runtime.transports.memory, eventapi.runtime.middleware\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.stdout.strip() == "ok", out.stderr


def test_runtime_never_imports_jinja_or_pygls() -> None:
    for path in RUNTIME.rglob("*.py"):
        text = path.read_text()
        for banned in ("import jinja2", "from jinja2", "import pygls", "from pygls"):
            assert banned not in text, f"{path} imports {banned.split()[-1]}"
