// The status bar item reflects each server state and opens the log when clicked.
import "./stubs/install";

import * as assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";

import { ServerStatusItem, statusPresentation } from "../common/status";
import { control, ThemeColor } from "./stubs/vscode";

describe("status bar", () => {
  beforeEach(() => {
    control.reset();
  });

  it("has a distinct text per state and colours only the bad ones", () => {
    const states = ["starting", "running", "stopped", "failed"] as const;
    const texts = new Set(states.map((state) => statusPresentation(state, "").text));
    assert.equal(texts.size, states.length);
    assert.equal(statusPresentation("running", "").background, undefined);
    assert.equal(statusPresentation("failed", "").background, "statusBarItem.errorBackground");
    assert.match(statusPresentation("starting", "").text, /sync~spin/);
  });

  it("shows the command in the tooltip", () => {
    assert.match(statusPresentation("running", "/usr/bin/eventapi-lsp (from PATH)").tooltip, /from PATH/);
  });

  it("updates the real item", () => {
    const status = new ServerStatusItem("eventapi.showOutput");
    const item = control.statusItems[0];
    assert.ok(item);
    assert.equal(item.command, "eventapi.showOutput");
    status.update("failed", "boom");
    assert.equal(status.state, "failed");
    assert.ok(item.visible);
    assert.match(item.text, /error/);
    assert.ok(item.backgroundColor instanceof ThemeColor);
    assert.equal(item.backgroundColor.id, "statusBarItem.errorBackground");
    status.update("running", "");
    assert.equal(item.backgroundColor, undefined);
    status.dispose();
    assert.ok(item.disposed);
  });
});
