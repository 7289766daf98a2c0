"""Shared helpers for the language-server tests: a real server subprocess driven by pytest-lsp."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Union

from lsprotocol import types
from pygls.protocol import default_converter
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

TESTDATA = Path(__file__).parent / "testdata"
SERVER = [sys.executable, "-m", "eventapi.server"]
TIMEOUT = 20.0


class Client(LanguageClient):
    """pytest-lsp's client, also keeping every publishDiagnostics with its version."""

    def __init__(self) -> None:
        super().__init__(converter_factory=default_converter)
        self.published: dict[str, list[types.PublishDiagnosticsParams]] = {}
        self.changed = asyncio.Event()
        self.versions: dict[str, int] = {}

    def uri(self, path: Path | str) -> str:
        return from_fs_path(str(Path(path).resolve())) or str(path)

    async def open(self, path: Path, text: str | None = None) -> str:
        uri = self.uri(path)
        self.versions[uri] = 1
        self.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri, "proto", 1, path.read_text() if text is None else text)
            )
        )
        return uri

    def replace_all(self, uri: str, text: str) -> int:
        version = self.versions[uri] = self.versions.get(uri, 1) + 1
        self.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(version=version, uri=uri),
                [types.TextDocumentContentChangeWholeDocument(text)],
            )
        )
        return version

    def edit(self, uri: str, rng: types.Range, text: str) -> int:
        version = self.versions[uri] = self.versions.get(uri, 1) + 1
        self.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(version=version, uri=uri),
                [types.TextDocumentContentChangePartial(rng, text)],
            )
        )
        return version

    async def diagnostics_for(
        self,
        uri: str,
        version: int | None = None,
        after: int = 0,
        where: Callable[[types.PublishDiagnosticsParams], bool] | None = None,
    ) -> types.PublishDiagnosticsParams:
        """The first publish for `uri` after the `after`-th one (with `version`, matching `where`)."""

        async def wait() -> types.PublishDiagnosticsParams:
            while True:
                for p in self.published.get(uri, [])[after:]:
                    if (version is None or p.version == version) and (where is None or where(p)):
                        return p
                self.changed.clear()
                await self.changed.wait()

        return await asyncio.wait_for(wait(), TIMEOUT)


def _record(client: Client, params: types.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.setdefault(params.uri, []).append(params)
    client.changed.set()


def make_client() -> Client:
    client = Client()
    converter = client.protocol._converter

    def command_or_code_action(obj: Any, _: type) -> types.Command | types.CodeAction:
        # lsprotocol structures every object with a "command" key as a Command, even a CodeAction
        # whose "command" is an object; a Command's "command" is the command name (a string).
        kind = types.Command if isinstance(obj.get("command"), str) else types.CodeAction
        return converter.structure(obj, kind)  # type: ignore[no-any-return]

    converter.register_structure_hook(
        Union[types.Command, types.CodeAction],  # noqa: UP007 (the hook is keyed by this object)
        command_or_code_action,
    )
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _record
    register_lsp_features(client, features)
    return client


def capabilities(encodings: list[str] | None = None) -> types.ClientCapabilities:
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(
            position_encodings=[types.PositionEncodingKind(e) for e in encodings]
            if encodings
            else None
        ),
        window=types.WindowClientCapabilities(work_done_progress=True),
        workspace=types.WorkspaceClientCapabilities(configuration=True),
        text_document=types.TextDocumentClientCapabilities(
            hover=types.HoverClientCapabilities(
                content_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText]
            ),
        ),
    )


@contextlib.asynccontextmanager
async def session(
    root: Path | None,
    options: dict[str, Any] | None = None,
    config: dict[str, Any] | None = None,
    encodings: list[str] | None = None,
) -> AsyncIterator[Client]:
    """A started and initialised server with `root` as its workspace folder."""
    client = await ClientServerConfig(server_command=SERVER, client_factory=make_client).start()
    assert isinstance(client, Client)
    if config is not None:
        client.set_configuration(config, section="eventapi")
    folders = [types.WorkspaceFolder(client.uri(root), root.name)] if root is not None else None
    try:
        await client.initialize_session(
            types.InitializeParams(
                capabilities=capabilities(encodings),
                workspace_folders=folders,
                root_uri=client.uri(root) if root is not None else None,
                initialization_options=options,
            )
        )
        yield client
        await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
    finally:
        server = client._server
        if server is not None and server.returncode is None:
            server.kill()  # a failed test must not hang waiting for a clean exit
        await client.stop()


def copy_testdata(name: str, tmp_path: Path) -> Path:
    """A writable copy of tests/server/testdata/<name>."""
    dest = tmp_path / name
    shutil.copytree(TESTDATA / name, dest)
    return dest


def generate_with_cli(folder: Path, out: Path) -> Path:
    """Run the headless generator on ``folder`` into ``out``: what hover and preview must equal."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "eventapi.generators.cli",
            "--generate",
            "--out",
            str(out),
            str(folder),
        ],
        check=True,
        capture_output=True,
    )
    return out


def position_of(text: str, needle: str, offset: int = 0) -> types.Position:
    """The position of the first `needle` in `text` (plus `offset` characters), ASCII text."""
    i = text.index(needle) + offset
    line = text.count("\n", 0, i)
    col = i - (text.rfind("\n", 0, i) + 1)
    return types.Position(line, col)
