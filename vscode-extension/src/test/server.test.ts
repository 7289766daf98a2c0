// ServerManager: command choice, client options, state in the status bar, restart, settings.
import "./stubs/install";

import * as assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";

import { DOCUMENT_SELECTOR } from "../common/server";
import { defaultServerSettings } from "../common/settings";
import { harness, settle } from "./helpers";
import { clientControl, State } from "./stubs/languageclient";
import { control, Uri } from "./stubs/vscode";

function lastClient() {
  const client = clientControl.instances[clientControl.instances.length - 1];
  assert.ok(client, "no LanguageClient was created");
  return client;
}

describe("ServerManager", () => {
  beforeEach(() => {
    control.reset();
    clientControl.reset();
  });

  it("starts eventapi-lsp from PATH with the validated settings as initializationOptions", async () => {
    const { manager, status } = harness();
    control.configuration.set("eventapi.outputDir", "out");
    control.configuration.set("eventapi.flinkVersion", "1.18");
    await manager.start();
    const client = lastClient();
    assert.equal(client.id, "eventapi");
    assert.deepEqual(client.serverOptions, { command: "/usr/bin/eventapi-lsp", args: [], options: {} });
    const options = client.clientOptions;
    assert.deepEqual(options.documentSelector, DOCUMENT_SELECTOR);
    const initializationOptions = options.initializationOptions as () => unknown;
    assert.deepEqual(initializationOptions(), { ...defaultServerSettings(), outputDir: "out" });
    assert.equal(status.state, "running");
    assert.equal(manager.runningClient, client);
  });

  it("logs a warning for an invalid setting", async () => {
    const { manager, output } = harness();
    control.configuration.set("eventapi.flinkVersion", "1.18");
    await manager.start();
    manager.settingsFor(undefined);
    assert.ok(output.lines.some((line) => line.startsWith("[warn]") && line.includes("flinkVersion")));
  });

  it("runs <pythonPath> -m eventapi.server from the workspace folder", async () => {
    const { manager } = harness([]);
    control.workspaceFolders = [{ uri: Uri.file("/ws"), name: "ws", index: 0 }];
    control.configuration.set("eventapi.server.pythonPath", "${workspaceFolder}/.venv/bin/python");
    await manager.start();
    assert.deepEqual(lastClient().serverOptions, {
      command: "/ws/.venv/bin/python",
      args: ["-m", "eventapi.server"],
      options: { cwd: "/ws" },
    });
    assert.equal(manager.serverCommand?.source, "server.pythonPath");
  });

  it("reports a missing server without creating a client", async () => {
    const { manager, status, output } = harness([]);
    await manager.start();
    assert.equal(clientControl.instances.length, 0);
    assert.equal(status.state, "failed");
    assert.ok(output.lines.some((line) => line.includes("Cannot find \"eventapi-lsp\"")));
    const message = control.messages.find((shown) => shown.level === "error");
    assert.ok(message);
    assert.deepEqual(message.items, ["Open Settings"]);
  });

  it("opens the server settings when asked", async () => {
    const { manager } = harness([]);
    control.messageAnswers.push("Open Settings");
    await manager.start();
    await settle();
    assert.deepEqual(control.executedCommands, [
      { command: "workbench.action.openSettings", args: ["eventapi.server"] },
    ]);
  });

  it("shows failed when the process cannot start", async () => {
    const { manager, status } = harness();
    clientControl.startError = new Error("spawn /usr/bin/eventapi-lsp ENOENT");
    await manager.start();
    assert.equal(status.state, "failed");
    assert.equal(manager.runningClient, undefined);
    assert.ok(lastClient().disposed);
    assert.match(control.messages[0]?.message ?? "", /ENOENT/);
  });

  it("marks a crashed server stopped and tells listeners", async () => {
    const { manager, status } = harness();
    const seen: unknown[] = [];
    manager.onDidChangeClient((client) => seen.push(client));
    await manager.start();
    lastClient().setState(State.Stopped);
    assert.equal(status.state, "stopped");
    assert.deepEqual(seen, [lastClient(), undefined]);
  });

  it("restarts with a fresh client and disposes the old one", async () => {
    const { manager, status } = harness();
    await manager.start();
    const first = lastClient();
    await manager.restart();
    const second = lastClient();
    assert.notEqual(first, second);
    assert.ok(first.disposed);
    assert.equal(second.disposed, false);
    assert.equal(status.state, "running");
    assert.equal(manager.runningClient, second);
  });

  it("serializes overlapping starts and restarts", async () => {
    const { manager } = harness();
    await Promise.all([manager.start(), manager.restart(), manager.start(), manager.restart()]);
    const alive = clientControl.instances.filter((client) => !client.disposed);
    assert.equal(alive.length, 1);
    assert.equal(clientControl.instances.length, 3);
  });

  it("restarts when the server command setting changes", async () => {
    const { manager } = harness(["/usr/bin/eventapi-lsp", "/opt/lsp"]);
    await manager.start();
    control.didChangeConfiguration.event((event) => manager.onConfigurationChanged(event));
    control.changeConfiguration({ "eventapi.server.path": "/opt/lsp" });
    await settle();
    assert.equal(clientControl.instances.length, 2);
    assert.deepEqual(lastClient().serverOptions, { command: "/opt/lsp", args: [], options: {} });
  });

  it("pushes other setting changes to the running server", async () => {
    const { manager } = harness();
    await manager.start();
    control.configuration.set("eventapi.outputDir", "gen2");
    await manager.onConfigurationChanged({ affectsConfiguration: (section) => section === "eventapi" });
    assert.equal(clientControl.instances.length, 1);
    assert.deepEqual(lastClient().notifications, [
      {
        method: "workspace/didChangeConfiguration",
        params: { settings: { eventapi: { ...defaultServerSettings(), outputDir: "gen2" } } },
      },
    ]);
  });

  it("answers workspace/configuration with validated settings through middleware", async () => {
    const { manager } = harness();
    control.configuration.set("eventapi.generators", ["sink", "cobol"]);
    control.configuration.set("eventapi.severities", { EA302: "off" });
    await manager.start();
    const middleware = lastClient().clientOptions.middleware as {
      workspace: { configuration: (params: unknown, token: unknown, next: () => unknown) => Promise<unknown> };
    };
    const answer = await middleware.workspace.configuration(
      { items: [{ section: "eventapi" }, { section: "files" }] },
      undefined,
      () => [{ server: { path: "" } }, { eol: "\n" }],
    );
    assert.deepEqual(answer, [{ ...defaultServerSettings(), severities: { EA302: "off" } }, { eol: "\n" }]);
  });

  it("expands ${workspaceFolder} in include paths", () => {
    const { manager } = harness();
    control.workspaceFolders = [{ uri: Uri.file("/ws"), name: "ws", index: 0 }];
    control.configuration.set("eventapi.includePaths", ["${workspaceFolder}/third_party", "proto"]);
    assert.deepEqual(manager.settingsFor(undefined).includePaths, ["/ws/third_party", "proto"]);
  });

  it("stop disposes the client and leaves nothing running", async () => {
    const { manager, status } = harness();
    await manager.start();
    await manager.stop();
    assert.ok(lastClient().disposed);
    assert.equal(manager.runningClient, undefined);
    assert.equal(status.state, "stopped");
  });
});
