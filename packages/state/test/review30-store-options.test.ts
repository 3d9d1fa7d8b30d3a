/**
 * createStore checks every option when the store is made: a bad one is an
 * InvalidArgumentError then, and nothing is kept (regression: a bad
 * `textPatches` was taken and refused every later `setState`; a fractional
 * `maxVersions` kept its floor silently; a `now` that is no function was a
 * bare TypeError).
 */
import { createStore, InvalidArgumentError, t } from "@pagefork/state";
import { describe, expect, it } from "vitest";
import { pool } from "./support.js";

const S = t.struct({ n: t.u8, doc: t.text() });

describe("review 30: createStore refuses bad options at once", () => {
  const bad: [string, object][] = [
    ["textPatches", { textPatches: "bogus" }],
    ["maxVersions", { maxVersions: 2.5 }],
    ["maxVersions", { maxVersions: 0 }],
    ["now", { now: 5 }],
  ];
  for (const [name, options] of bad)
    it(`${JSON.stringify(options)}: InvalidArgumentError naming ${name}, no frame kept`, () => {
      const p = pool();
      expect(() => createStore(S, { n: 0, doc: "abc" }, { ...options, pool: p } as never)).toThrow(
        expect.objectContaining({ name: "InvalidArgumentError", message: expect.stringContaining(name) }),
      );
      expect(() => createStore(S, { n: 0, doc: "abc" }, { ...options, pool: p } as never)).toThrow(
        InvalidArgumentError,
      );
      expect(p.framesInUse).toBe(0);
    });

  it("good values are taken: textPatches replace, an integer maxVersions, Infinity, a clock", () => {
    const p = pool();
    let clock = 0;
    const store = createStore(
      S,
      { n: 0, doc: "abc" },
      { pool: p, textPatches: "replace", maxVersions: 2, now: () => clock },
    );
    const seen: unknown[] = [];
    store.subscribe((_n, _p, patches) => seen.push(patches));
    store.setState((d) => void d.doc.insert(3, "d"));
    clock = 10;
    store.setState((d) => void d.n++);
    expect(seen[0]).toEqual([{ op: "replace", path: ["doc"], value: "abcd" }]);
    expect(store.versions.map((v) => v.time)).toEqual([0, 10]);
    store.release();
    const inf = createStore(S, { n: 0, doc: "" }, { pool: p, maxVersions: Number.POSITIVE_INFINITY });
    inf.release();
    expect(p.framesInUse).toBe(0);
  });
});
