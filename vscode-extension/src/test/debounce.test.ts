// The keyed debouncer collapses bursts per key and keeps keys independent.
import * as assert from "node:assert/strict";
import { describe, it, mock } from "node:test";

import { KeyedDebouncer } from "../common/debounce";

describe("KeyedDebouncer", () => {
  it("runs once per key after the quiet period", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const calls: string[] = [];
      const debouncer = new KeyedDebouncer<string>(300);
      debouncer.trigger("a", () => calls.push("a1"));
      mock.timers.tick(200);
      debouncer.trigger("a", () => calls.push("a2"));
      debouncer.trigger("b", () => calls.push("b1"));
      mock.timers.tick(299);
      assert.deepEqual(calls, []);
      assert.ok(debouncer.isPending("a"));
      mock.timers.tick(1);
      assert.deepEqual(calls, ["a2", "b1"]);
      assert.equal(debouncer.isPending("a"), false);
    } finally {
      mock.timers.reset();
    }
  });

  it("cancel and dispose drop pending calls", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const calls: string[] = [];
      const debouncer = new KeyedDebouncer<number>(10);
      debouncer.trigger(1, () => calls.push("1"));
      debouncer.trigger(2, () => calls.push("2"));
      debouncer.cancel(1);
      mock.timers.tick(10);
      debouncer.trigger(3, () => calls.push("3"));
      debouncer.dispose();
      mock.timers.tick(10);
      assert.deepEqual(calls, ["2"]);
    } finally {
      mock.timers.reset();
    }
  });
});
