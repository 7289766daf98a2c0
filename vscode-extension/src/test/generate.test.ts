// The generate commands: the request sent to the server, progress forwarding, and what the user sees.
import "./stubs/install";

import * as assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";

import { chooseScope, ProgressIncrements, runGenerate } from "../common/generate";
import { harness } from "./helpers";
import { clientControl } from "./stubs/languageclient";
import type { LanguageClient } from "./stubs/languageclient";
import { control, Uri } from "./stubs/vscode";

/** The stubbed client behind the manager's typed view of it. */
function stub(manager: { runningClient: unknown }): LanguageClient | undefined {
  return manager.runningClient as LanguageClient | undefined;
}

interface ExecuteParams {
  command: string;
  arguments: unknown[];
  workDoneToken: string;
}

describe("chooseScope", () => {
  it("prefers explicit arguments, then the active proto, then the workspace", () => {
    assert.deepEqual(chooseScope({ scope: "workspace", uri: "file:///a.proto" }, "file:///b.proto"), {
      scope: "workspace",
      uri: undefined,
    });
    assert.deepEqual(chooseScope({ uri: "file:///a.proto" }, "file:///b.proto"), { scope: "file", uri: "file:///a.proto" });
    assert.deepEqual(chooseScope(undefined, "file:///b.proto"), { scope: "file", uri: "file:///b.proto" });
    assert.deepEqual(chooseScope(undefined, undefined), { scope: "workspace", uri: undefined });
    assert.deepEqual(chooseScope({ scope: "file" }, undefined), { scope: "file", uri: undefined });
  });
});

describe("ProgressIncrements", () => {
  it("turns absolute percentages into increments", () => {
    const increments = new ProgressIncrements();
    assert.equal(increments.next(undefined), undefined);
    assert.equal(increments.next(10), 10);
    assert.equal(increments.next(10), undefined);
    assert.equal(increments.next(5), undefined);
    assert.equal(increments.next(60), 50);
    assert.equal(increments.next(250), 40);
    assert.equal(increments.next(Number.NaN), undefined);
  });
});

describe("runGenerate", () => {
  beforeEach(() => {
    control.reset();
    clientControl.reset();
  });

  async function started() {
    const context = harness();
    await context.manager.start();
    return context;
  }

  it("generates the active proto with progress and reports the counts", async () => {
    const { manager } = await started();
    const proto = control.openDocument(Uri.file("/ws/orders.proto"), "proto");
    control.activeTextEditor = { document: proto };
    clientControl.onRequest = (method, params, client: LanguageClient) => {
      assert.equal(method, "workspace/executeCommand");
      const { workDoneToken } = params as ExecuteParams;
      const report = client.progressHandlers.get(workDoneToken);
      assert.ok(report, "progress handler registered before the request");
      report({ kind: "begin", title: "Generating", percentage: 0 });
      report({ kind: "report", message: "orders.proto", percentage: 50 });
      report({ kind: "end" });
      return { written: ["gen/orders_sdk.py"], unchanged: ["gen/x.sql"], errors: 0 };
    };
    await runGenerate(manager, ["sdk"], "Generate SDK", undefined);
    const request = stub(manager)?.requests[0];
    assert.ok(request);
    const params = request.params as ExecuteParams;
    assert.equal(params.command, "eventapi.generate");
    assert.deepEqual(params.arguments, [{ uri: "file:///ws/orders.proto", scope: "file", kinds: ["sdk"] }]);
    assert.match(params.workDoneToken, /^[0-9a-f-]{36}$/);
    assert.ok(request.token, "the cancellation token is passed on");
    assert.deepEqual(control.progress, [
      {
        title: "EventAPI: Generate SDK (orders.proto)",
        reports: [{}, { message: "orders.proto", increment: 50 }],
      },
    ]);
    // The server shows its own summary; the extension only puts the counts in the status bar.
    assert.deepEqual(control.messages, []);
    assert.deepEqual(control.statusBarMessages, [
      { text: "$(check) EventAPI Generate SDK: 1 file written, 1 unchanged.", timeoutMs: 8000 },
    ]);
    assert.equal(stub(manager)?.progressHandlers.size, 0, "progress subscription released");
  });

  it("generates the workspace when no proto is active", async () => {
    const { manager } = await started();
    clientControl.onRequest = () => ({ written: ["a"], unchanged: [], errors: 0 });
    await runGenerate(manager, ["sdk", "sink"], "Generate all", undefined);
    const params = stub(manager)?.requests[0]?.params as ExecuteParams;
    assert.deepEqual(params.arguments, [{ scope: "workspace", kinds: ["sdk", "sink"] }]);
    assert.equal(control.progress[0]?.title, "EventAPI: Generate all (workspace)");
  });

  it("points at the Problems panel when the server found errors", async () => {
    const { manager } = await started();
    clientControl.onRequest = () => ({ written: [], unchanged: [], errors: 3 });
    control.messageAnswers.push("Show Problems");
    await runGenerate(manager, ["sink"], "Generate SQL", { scope: "workspace" });
    assert.equal(control.messages[0]?.level, "error");
    assert.match(control.messages[0].message, /3 errors/);
    assert.deepEqual(control.executedCommands.map((call) => call.command), ["workbench.actions.view.problems"]);
  });

  it("shows a server failure with a way to the log", async () => {
    const { manager } = await started();
    clientControl.onRequest = () => {
      throw new Error("Internal error: disk full");
    };
    await runGenerate(manager, ["sdk"], "Generate SDK", { scope: "workspace" });
    assert.deepEqual(control.messages, [
      { level: "error", message: "EventAPI Generate SDK failed: Internal error: disk full", items: ["Show Log"] },
    ]);
  });

  it("rejects a malformed result instead of crashing", async () => {
    const { manager } = await started();
    clientControl.onRequest = () => null;
    await runGenerate(manager, ["sdk"], "Generate SDK", { scope: "workspace" });
    assert.match(control.messages[0]?.message ?? "", /returned null, not an object/);
  });

  it("stays quiet when the user cancelled", async () => {
    const { manager } = await started();
    clientControl.onRequest = () => {
      throw Object.assign(new Error("Request cancelled"), { code: -32800 });
    };
    await runGenerate(manager, ["sdk"], "Generate SDK", { scope: "workspace" });
    assert.deepEqual(control.messages, []);
  });

  it("offers a restart when the server is not running", async () => {
    const { manager } = harness([]);
    await manager.start();
    control.messages = [];
    control.messageAnswers.push("Restart Server");
    await runGenerate(manager, ["sdk"], "Generate SDK", undefined);
    assert.match(control.messages[0]?.message ?? "", /not running/);
    assert.deepEqual(control.messages[0]?.items, ["Restart Server", "Show Log"]);
    // The restart tried again to resolve the command (and failed again: still no executable).
    assert.equal(control.messages.length, 2);
    assert.match(control.messages[1]?.message ?? "", /Cannot find "eventapi-lsp"/);
  });
});
