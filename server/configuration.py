"""Lifecycle and settings: initialize, workspace folders, workspace/configuration, watched files."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from lsprotocol import types

from eventapi.server.app import EventApiServer, log
from eventapi.server.documents import uri_to_path
from eventapi.server.guard import guarded
from eventapi.server.settings import parse_settings

SECTION = "eventapi"


def plain(value: object) -> object:
    """Custom params arrive as namedtuples from pygls; turn them back into dicts and lists."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def apply_settings(server: EventApiServer, raw: object) -> None:
    settings, warnings = parse_settings(plain(raw))
    for w in warnings:
        server.log_message(w)
    server.analysis.configure(settings=settings)
    for problem in server.analysis.config_problems:
        server.log_message(problem)


def _folders(params: types.InitializeParams) -> list[str]:
    paths: list[str] = []
    for f in params.workspace_folders or []:
        p = uri_to_path(f.uri)
        if p:
            paths.append(p)
    if not paths and params.root_uri:
        p = uri_to_path(params.root_uri)
        if p:
            paths.append(p)
    if not paths and params.root_path:
        paths.append(params.root_path)
    return paths


async def pull_settings(server: EventApiServer) -> None:
    if not server.supports_config_pull:
        return
    try:
        result = await asyncio.wait_for(
            server.workspace_configuration_async(
                types.ConfigurationParams([types.ConfigurationItem(section=SECTION)])
            ),
            timeout=5,
        )
    except Exception as exc:
        log.warning("workspace/configuration failed: %s", exc)
        return
    if result and result[0] is not None:
        apply_settings(server, result[0])
        server.scheduler.touch(delay=0)


def register(server: EventApiServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: EventApiServer, params: types.InitializeParams) -> None:
        ls.documents.encoding = ls.workspace.position_encoding or types.PositionEncodingKind.Utf16
        caps = params.capabilities
        ls.supports_config_pull = bool(caps.workspace and caps.workspace.configuration)
        ls.supports_progress = bool(caps.window and caps.window.work_done_progress)
        ls.analysis.configure(folders=_folders(params))
        apply_settings(ls, params.initialization_options)

    @server.feature(types.INITIALIZED)
    @guarded(None)
    async def initialized(ls: EventApiServer, params: types.InitializedParams) -> None:
        caps = ls.client_capabilities.workspace
        registrations: list[types.Registration] = []
        if (
            caps
            and caps.did_change_watched_files
            and caps.did_change_watched_files.dynamic_registration
        ):
            registrations.append(
                types.Registration(
                    "eventapi-watch-proto",
                    types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    types.DidChangeWatchedFilesRegistrationOptions(
                        [types.FileSystemWatcher(glob_pattern="**/*.proto")]
                    ),
                )
            )
        if (
            caps
            and caps.did_change_configuration
            and caps.did_change_configuration.dynamic_registration
        ):
            registrations.append(
                types.Registration("eventapi-config", types.WORKSPACE_DID_CHANGE_CONFIGURATION)
            )
        if registrations:
            try:
                await ls.client_register_capability_async(types.RegistrationParams(registrations))
            except Exception as exc:
                log.warning("client/registerCapability failed: %s", exc)
        await pull_settings(ls)
        ls.scheduler.touch(delay=0)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    @guarded(None)
    async def did_change_configuration(
        ls: EventApiServer, params: types.DidChangeConfigurationParams
    ) -> None:
        if ls.supports_config_pull:
            await pull_settings(ls)
            return
        settings = plain(params.settings)
        if isinstance(settings, Mapping) and SECTION in settings:
            apply_settings(ls, settings[SECTION])
            ls.scheduler.touch(delay=0)

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    @guarded(None)
    async def did_change_folders(
        ls: EventApiServer, params: types.DidChangeWorkspaceFoldersParams
    ) -> None:
        folders = list(ls.analysis.folders)
        for f in params.event.removed:
            p = uri_to_path(f.uri)
            if p in folders:
                folders.remove(p)
        for f in params.event.added:
            p = uri_to_path(f.uri)
            if p:
                folders.append(p)
        ls.analysis.configure(folders=folders)
        ls.scheduler.touch(delay=0)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @guarded(None)
    async def did_change_watched(
        ls: EventApiServer, params: types.DidChangeWatchedFilesParams
    ) -> None:
        ls.analysis.files_changed()
        for change in params.changes:
            path = uri_to_path(change.uri)
            if path and ls.documents.by_path(path) is None:
                ls.scheduler.touch(path)
        ls.scheduler.touch()
