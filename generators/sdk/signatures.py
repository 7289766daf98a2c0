"""Generated method signatures for the language server's hover, from the same view-model."""

from __future__ import annotations

from eventapi.generators.model import nodes as n
from eventapi.generators.model.workspace import Workspace
from eventapi.generators.sdk.model import build_service
from eventapi.generators.sdk.render import render_signatures


def operation_signatures(
    ws: Workspace, service: n.ServiceNode, op: n.OperationNode
) -> dict[str, str]:
    """Protocol -> the Python signature(s) generated for `op` and a short usage snippet.

    Empty when the service is not an event bus or the operation generates nothing. Protobuf
    classes are not compiled here (hover never needs them), so this stays fast.
    """
    if not service.is_event_bus:
        return {}
    file = next((f for f, s in ws.services() if s is service), None)
    if file is None:
        file = next((f for f in ws.files.values() if service in f.services), None)
    if file is None:
        return {}
    return render_signatures(build_service(ws, file, service), op.name)
