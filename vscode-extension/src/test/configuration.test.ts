// workspace/configuration answers: our section validated per scope, others untouched.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";

import { answerConfigurationItems, answerForSection } from "../common/configuration";
import { defaultServerSettings } from "../common/settings";

describe("answerConfigurationItems", () => {
  it("answers eventapi and eventapi.<key> per scope and keeps other sections", () => {
    const scoped = (scopeUri: string | undefined) => ({
      ...defaultServerSettings(),
      outputDir: scopeUri === undefined ? "gen" : `gen-${scopeUri.split("/").pop() ?? ""}`,
    });
    const answers = answerConfigurationItems(
      [
        { section: "eventapi" },
        { section: "eventapi.outputDir", scopeUri: "file:///ws/b" },
        { section: "editor" },
        { section: "eventapi.server" },
        {},
      ],
      [{ raw: true }, "raw", { tabSize: 2 }, { path: "" }],
      scoped,
    );
    assert.deepEqual(answers, [defaultServerSettings(), "gen-b", { tabSize: 2 }, { path: "" }, null]);
  });

  it("answers nothing for client-only keys", () => {
    assert.equal(answerForSection("eventapi.trace", defaultServerSettings()), undefined);
    assert.equal(answerForSection("eventapix", defaultServerSettings()), undefined);
    assert.deepEqual(answerForSection("eventapi.generators", defaultServerSettings()), ["sdk", "sink"]);
  });
});
