/**
 * Review 28: the `util.inspect.custom` methods of states, views and drafts
 * called without Node's `inspect` (by hand, or by a test runner's formatter:
 * vitest's failure message of `expect([...states]).toContain(state)` called
 * `State[inspect.custom]` with no third argument and threw "inspect is not a
 * function"). (Struct, list and typed-array views and drafts are Proxies whose
 * inspector Node finds on the target; they expose none through the Proxy.)
 * They now fall back to a plain one-line form, as the core's and
 * map's inspectors do.
 */
import { produce } from "@pagefork/state";
import { describe, expect, it } from "vitest";
import { appState, pool } from "./support.js";

const CUSTOM = Symbol.for("nodejs.util.inspect.custom");
type Inspectable = { [CUSTOM]: (...args: unknown[]) => string };

/** Calls the inspector with no arguments and with Node's first two only. */
function shown(x: unknown): string[] {
  const f = (x as Inspectable)[CUSTOM];
  expect(typeof f).toBe("function");
  return [f.call(x), f.call(x, 2, {})];
}

describe("review 28: inspect.custom without Node's inspect", () => {
  it("a state, set/map/text views and drafts show their contents (regression: TypeError)", () => {
    const p = pool();
    const s = appState(2, p);
    const root = s.root;
    const cases: [unknown, string][] = [
      [s, "todo 1"],
      [root.todos[0]?.tags, "x"],
      [root.byId, "t1"],
      [root.doc, "hello world"],
    ];
    for (const [x, text] of cases) for (const out of shown(x)) expect(out).toContain(text);
    const next = produce(s, (d) => {
      const drafts: [unknown, string][] = [
        [d.todos[0]?.tags, "x"],
        [d.byId, "t1"],
        [d.doc, "hello world"],
      ];
      for (const [x, text] of drafts) for (const out of shown(x)) expect(out).toContain(text);
    });
    expect(next).toBe(s); // inspecting changed nothing
    s.release();
    expect(p.framesInUse).toBe(0);
  });
});
