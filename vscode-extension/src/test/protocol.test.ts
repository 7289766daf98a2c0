// The generate/preview contract: argument building, result validation and summaries.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  buildGenerateArgs,
  parseGenerateResult,
  parsePreviewResult,
  ProtocolError,
  summarizeGenerateResult,
} from "../common/protocol";

describe("buildGenerateArgs", () => {
  it("carries the uri for a file run and drops it for a workspace run", () => {
    assert.deepEqual(buildGenerateArgs(["sdk"], "file", "file:///ws/a.proto"), {
      uri: "file:///ws/a.proto",
      scope: "file",
      kinds: ["sdk"],
    });
    assert.deepEqual(buildGenerateArgs(["sdk", "sink"], "workspace", "file:///ws/a.proto"), {
      scope: "workspace",
      kinds: ["sdk", "sink"],
    });
  });

  it("rejects a file run without uri and an empty kind list", () => {
    assert.throws(() => buildGenerateArgs(["sdk"], "file", undefined), ProtocolError);
    assert.throws(() => buildGenerateArgs([], "workspace", undefined), /nothing to generate/);
  });
});

describe("parseGenerateResult", () => {
  it("accepts the documented shape", () => {
    const value = { written: ["gen/a.py"], unchanged: [], errors: 0, extra: true };
    assert.deepEqual(parseGenerateResult(value), { written: ["gen/a.py"], unchanged: [], errors: 0 });
  });

  for (const bad of [null, "ok", { written: "a", unchanged: [], errors: 0 }, { written: [], unchanged: [], errors: -1 }, { written: [], unchanged: [1], errors: 0 }, { written: [], unchanged: [], errors: 1.5 }]) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseGenerateResult(bad), ProtocolError);
    });
  }
});

describe("summarizeGenerateResult", () => {
  it("counts written and unchanged files", () => {
    assert.deepEqual(summarizeGenerateResult({ written: ["a", "b"], unchanged: ["c"], errors: 0 }, "Generate all"), {
      level: "info",
      message: "EventAPI Generate all: 2 files written, 1 unchanged.",
    });
    assert.equal(
      summarizeGenerateResult({ written: ["a"], unchanged: [], errors: 0 }, "Generate SDK").message,
      "EventAPI Generate SDK: 1 file written.",
    );
  });

  it("reports errors as an error", () => {
    const summary = summarizeGenerateResult({ written: [], unchanged: ["x"], errors: 2 }, "Generate SQL");
    assert.equal(summary.level, "error");
    assert.match(summary.message, /2 errors stopped generation/);
    assert.match(summary.message, /Problems/);
  });

  it("warns when nothing was generated", () => {
    assert.equal(summarizeGenerateResult({ written: [], unchanged: [], errors: 0 }, "Generate SDK").level, "warning");
  });
});

describe("parsePreviewResult", () => {
  it("accepts python and sql", () => {
    assert.deepEqual(parsePreviewResult({ text: "x = 1\n", language: "python", title: "t" }), {
      text: "x = 1\n",
      language: "python",
      title: "t",
    });
    assert.equal(parsePreviewResult({ text: "", language: "sql" }).title, "");
  });

  it("rejects a missing text or an unknown language", () => {
    assert.throws(() => parsePreviewResult({ language: "sql" }), /no "text"/);
    assert.throws(() => parsePreviewResult({ text: "", language: "go" }), /language "go"/);
    assert.throws(() => parsePreviewResult(undefined), ProtocolError);
  });
});
