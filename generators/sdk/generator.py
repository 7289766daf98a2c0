"""The "sdk" generator: typed Python clients per event-bus service and protocol."""

from __future__ import annotations

from eventapi.generators.model.workspace import Workspace
from eventapi.generators.registry import GenerateOptions, OutputFile, register
from eventapi.generators.sdk.render import render_service


class SdkGenerator:
    """Renders `<service_snake>/{__init__,events}.py` and `<service_snake>/<protocol>/` packages."""

    name = "sdk"
    description = "typed Python SDK per service and protocol"

    def generate(self, ws: Workspace, options: GenerateOptions) -> list[OutputFile]:
        outputs: list[OutputFile] = []
        for file, service in ws.services():
            if service.is_event_bus:
                outputs.extend(render_service(ws, file, service))
        return sorted(outputs, key=lambda o: o.path)


register("sdk", SdkGenerator)
