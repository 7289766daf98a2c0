// Preview addresses round-trip, name their tab sensibly and render errors as comments.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parsePreviewQuery, previewErrorText, previewLanguage, previewLocation } from "../common/previewUri";

describe("previewLocation", () => {
  it("names the tab after the proto and the kind", () => {
    assert.equal(previewLocation({ uri: "file:///ws/orders.proto", kind: "sdk" }).path, "/orders.sdk.py");
    assert.equal(previewLocation({ uri: "file:///ws/orders.proto", kind: "ddl" }).path, "/orders.ddl.sql");
    assert.equal(
      previewLocation({ uri: "file:///ws/my%20orders.proto", kind: "flink", target: "SendOrder" }).path,
      "/my orders.SendOrder.flink.sql",
    );
  });

  it("round-trips through the query", () => {
    for (const params of [
      { uri: "file:///ws/a%20b/orders.proto", kind: "sdk" as const },
      { uri: "file:///ws/o.proto?x=1&y=2", kind: "ddl" as const, target: "PlaceOrder" },
      { uri: "untitled:Untitled-1", kind: "flink" as const },
    ]) {
      assert.deepEqual(parsePreviewQuery(previewLocation(params).query), params);
    }
  });

  it("refuses queries it did not write", () => {
    assert.equal(parsePreviewQuery(""), undefined);
    assert.equal(parsePreviewQuery("source=file%3A%2F%2F%2Fa.proto&kind=java"), undefined);
    assert.equal(parsePreviewQuery("kind=sdk"), undefined);
  });
});

describe("previewErrorText", () => {
  it("uses the comment syntax of the preview's language", () => {
    assert.equal(previewLanguage("sdk"), "python");
    assert.equal(previewLanguage("flink"), "sql");
    const python = previewErrorText("sdk", "EA003 unknown option\nsecond line");
    assert.ok(python.split("\n").filter((line) => line !== "").every((line) => line.startsWith("#")));
    assert.match(python, /# {3}EA003 unknown option\n# {3}second line/);
    const sql = previewErrorText("ddl", "boom");
    assert.ok(sql.split("\n").filter((line) => line !== "").every((line) => line.startsWith("--")));
  });
});
