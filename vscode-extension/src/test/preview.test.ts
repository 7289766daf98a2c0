// Previews: content from eventapi/preview, error text, debounced refresh on edits, opening beside.
import "./stubs/install";

import * as assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";

import { PreviewProvider } from "../common/preview";
import { PREVIEW_SCHEME, previewLocation } from "../common/previewUri";
import { harness, settle } from "./helpers";
import { clientControl, State } from "./stubs/languageclient";
import { CancellationTokenSource, control, Uri, ViewColumn, workspace } from "./stubs/vscode";

const SOURCE = Uri.file("/ws/orders.proto");

function previewUriFor(kind: "sdk" | "ddl" | "flink"): Uri {
  const location = previewLocation({ uri: SOURCE.toString(), kind });
  return Uri.from({ scheme: PREVIEW_SCHEME, path: location.path, query: location.query });
}

describe("PreviewProvider", () => {
  let provider: PreviewProvider | undefined;

  beforeEach(() => {
    control.reset();
    clientControl.reset();
  });

  afterEach(() => {
    provider?.dispose();
  });

  async function setup(debounceMs = 20) {
    const context = harness();
    await context.manager.start();
    provider = new PreviewProvider(context.manager, debounceMs);
    workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, provider as never);
    return { ...context, provider };
  }

  it("fills the document from eventapi/preview", async () => {
    const { provider: preview } = await setup();
    clientControl.onRequest = (method, params) => {
      assert.equal(method, "eventapi/preview");
      assert.deepEqual(params, { uri: SOURCE.toString(), kind: "ddl" });
      return { text: "CREATE TABLE orders (id BIGINT);\n", language: "sql", title: "orders DDL" };
    };
    const text = await preview.provideTextDocumentContent(
      previewUriFor("ddl") as never,
      new CancellationTokenSource().token,
    );
    assert.equal(text, "CREATE TABLE orders (id BIGINT);\n");
  });

  it("shows the server's error as a comment", async () => {
    const { provider: preview } = await setup();
    clientControl.onRequest = () => {
      throw new Error("orders.proto has errors: EA003");
    };
    const text = await preview.provideTextDocumentContent(previewUriFor("sdk") as never, undefined as never);
    assert.match(text, /^# EventAPI SDK \(Python\) preview is unavailable:\n# {3}orders.proto has errors: EA003\n/);
  });

  it("explains that the server is not running", async () => {
    const { provider: preview, manager } = await setup();
    await manager.stop();
    const text = await preview.provideTextDocumentContent(previewUriFor("flink") as never, undefined as never);
    assert.match(text, /^-- .*\n-- {3}the EventAPI language server is not running/);
  });

  it("refreshes once after a burst of edits to its proto, not for other files", async () => {
    const { provider: preview } = await setup();
    const proto = control.openDocument(SOURCE, "proto");
    const other = control.openDocument(Uri.file("/ws/other.proto"), "proto");
    control.openDocument(previewUriFor("ddl"), "sql");
    control.openDocument(previewUriFor("sdk"), "python");
    const fired: string[] = [];
    preview.onDidChange((uri) => fired.push(uri.path));
    for (let edit = 0; edit < 5; edit += 1) {
      control.didChangeTextDocument.fire({ document: proto, contentChanges: [] });
    }
    control.didChangeTextDocument.fire({ document: other, contentChanges: [] });
    assert.deepEqual(fired, [], "nothing before the quiet period");
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.deepEqual(fired.sort(), ["/orders.ddl.sql", "/orders.sdk.py"]);
  });

  it("ignores closed previews", async () => {
    const { provider: preview } = await setup(1);
    const proto = control.openDocument(SOURCE, "proto");
    const document = control.openDocument(previewUriFor("ddl"), "sql");
    document.isClosed = true;
    const fired: string[] = [];
    preview.onDidChange((uri) => fired.push(uri.path));
    control.didChangeTextDocument.fire({ document: proto, contentChanges: [] });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(fired, []);
  });

  it("refreshes every preview when the server (re)starts", async () => {
    const { provider: preview, manager } = await setup();
    control.openDocument(previewUriFor("flink"), "sql");
    const fired: string[] = [];
    preview.onDidChange((uri) => fired.push(uri.path));
    await manager.restart();
    assert.deepEqual(fired, ["/orders.flink.sql"]);
    const client = clientControl.instances[1];
    assert.ok(client);
    client.setState(State.Stopped);
    assert.deepEqual(fired, ["/orders.flink.sql"], "a stop does not refresh");
  });

  it("opens the chosen kind beside the active proto as SQL", async () => {
    const { provider: preview } = await setup();
    control.activeTextEditor = { document: control.openDocument(SOURCE, "proto") };
    control.quickPickAnswers.push({ label: "Flink SQL", previewKind: "flink" });
    clientControl.onRequest = () => ({ text: "INSERT INTO t SELECT 1;\n", language: "sql", title: "t" });
    const editor = await preview.open(undefined);
    assert.ok(editor);
    assert.equal(editor.document.uri.scheme, PREVIEW_SCHEME);
    assert.equal(editor.document.uri.path, "/orders.flink.sql");
    assert.equal(editor.document.languageId, "sql");
    assert.equal(editor.document.getText(), "INSERT INTO t SELECT 1;\n");
    assert.deepEqual(control.shownDocuments[0]?.options, {
      viewColumn: ViewColumn.Beside,
      preserveFocus: true,
      preview: false,
    });
    assert.equal(control.quickPicks[0]?.items.length, 3);
  });

  it("switches kind from an open preview without asking for the file", async () => {
    const { provider: preview } = await setup();
    control.activeTextEditor = { document: control.openDocument(previewUriFor("ddl"), "sql") };
    clientControl.onRequest = () => ({ text: "class X: ...\n", language: "python", title: "x" });
    const editor = await preview.open({ kind: "sdk" });
    assert.equal(editor?.document.uri.path, "/orders.sdk.py");
    assert.equal(editor.document.languageId, "python");
    assert.deepEqual(control.quickPicks, []);
  });

  it("asks for a proto when none is active, and does nothing when the pick is dismissed", async () => {
    const { provider: preview } = await setup();
    assert.equal(await preview.open(undefined), undefined);
    assert.match(control.messages[0]?.message ?? "", /open a \.proto file first/);
    control.activeTextEditor = { document: control.openDocument(SOURCE, "proto") };
    assert.equal(await preview.open(undefined), undefined);
    assert.deepEqual(control.shownDocuments, []);
    await settle();
  });
});
