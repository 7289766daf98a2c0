"""Entry point: `serve(tcp_port)` runs the language server on stdio, or on 127.0.0.1:PORT."""

from __future__ import annotations

import logging
import os
import sys

from eventapi.server.app import create_server


def serve(tcp_port: int | None = None) -> None:
    """Run until the client exits. Logs go to stderr (stdout carries the protocol)."""
    logging.basicConfig(
        stream=sys.stderr,
        level=os.environ.get("EVENTAPI_LSP_LOG", "WARNING").upper(),
        format="eventapi-lsp %(levelname)s %(message)s",
    )
    from eventapi.generators.registry import generators
    from eventapi.generators.rules.engine import load_rules

    # Pay for imports and the option schema before the client's first document arrives.
    load_rules()
    generators()
    server = create_server()
    try:
        if tcp_port is not None:
            server.start_tcp("127.0.0.1", tcp_port)
        else:
            server.start_io()
    finally:
        server.scheduler.shutdown()
