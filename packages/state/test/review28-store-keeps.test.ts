/**
 * Review 28: `store.keeps(version)`, what a binding that pins a version asks
 * to know when its fork alone holds that version's pages. The store releases
 * the version a change dropped only after its listeners were told, so
 * `version.released` answers one change late; `keeps` answers already while
 * they run. A property checks it against a model of the history.
 */
import { FramePool } from "@pagefork/core";
import { createStore, type State, t } from "@pagefork/state";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const S = t.struct({ n: t.u32 });

describe("review 28: store.keeps", () => {
  it("false for prev while the listeners of the change that dropped it run; true for next", () => {
    for (const options of [{ maxVersions: 1 }, { coalesceMs: 1e9, now: () => 0 }, { maxBytes: 0 }]) {
      const store = createStore(S, { n: 0 }, options);
      store.setState((d) => {
        d.n = 1;
      });
      const seen: unknown[] = [];
      store.subscribe((next, prev) => seen.push(store.keeps(next), store.keeps(prev), prev.released));
      const before = store.getState();
      store.setState((d) => {
        d.n = 2;
      });
      expect(seen).toEqual([true, false, false]);
      expect([store.keeps(before), before.released]).toEqual([false, true]);
      const fork = store.getState().fork();
      expect(store.keeps(fork)).toBe(false); // a fork is not one of the store's versions
      fork.release();
      store.release();
      expect(store.keeps(before)).toBe(false);
    }
  });

  it("property: keeps(v) is true exactly for the versions of the history, in and out of listeners", () => {
    type Cmd =
      | { kind: "set"; v: number }
      | { kind: "undo" }
      | { kind: "redo" }
      | { kind: "goTo"; at: number }
      | { kind: "tx"; vs: number[] };
    const cmd: fc.Arbitrary<Cmd> = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), v: fc.nat(1000) }),
      fc.constant({ kind: "undo" as const }),
      fc.constant({ kind: "redo" as const }),
      fc.record({ kind: fc.constant("goTo" as const), at: fc.nat(8) }),
      fc.record({ kind: fc.constant("tx" as const), vs: fc.array(fc.nat(1000), { maxLength: 3 }) }),
    );
    fc.assert(
      fc.property(
        fc.array(cmd, { maxLength: 25 }),
        fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 200_000 }), { nil: undefined }),
        fc.boolean(),
        (cmds, maxVersions, maxBytes, coalesce) => {
          const pool = new FramePool({ pageSize: 256 });
          let clock = 0;
          const store = createStore(
            t.struct({ n: t.u32, pad: t.list(t.f64) }),
            { n: 0, pad: [] },
            {
              pool,
              maxVersions: maxVersions ?? Number.POSITIVE_INFINITY,
              maxBytes: maxBytes ?? Number.POSITIVE_INFINITY,
              coalesceMs: coalesce ? 2 : 0,
              now: () => clock++,
            },
          );
          const all: State[] = [store.getState() as State];
          const kept = () => {
            // every version the store made passed through a listener (or is the first): those it
            // keeps are as many as its history holds, the current one among them, the rest released
            const mine = all.filter((s) => store.keeps(s as never));
            expect(mine.length).toBe(store.stats().versions);
            expect(mine.includes(store.getState() as State)).toBe(true);
            for (const s of all) if (!store.keeps(s as never)) expect(s.released || s === store.getState()).toBe(true);
          };
          store.subscribe((next, prev) => {
            if (!all.includes(next as State)) all.push(next as State);
            expect(store.keeps(next)).toBe(true);
            expect(prev.released).toBe(false);
            const mine = all.filter((s) => store.keeps(s as never));
            expect(mine.length).toBe(store.stats().versions);
          });
          for (const c of cmds) {
            if (c.kind === "set")
              store.setState((d) => {
                d.n = c.v + 1;
                d.pad.push(c.v);
              });
            else if (c.kind === "undo") store.undo();
            else if (c.kind === "redo") store.redo();
            else if (c.kind === "goTo") {
              if (c.at < store.stats().versions) store.goTo(c.at);
            } else
              store.transact("tx", () => {
                for (const v of c.vs)
                  store.setState((d) => {
                    d.n = v + 2000;
                  });
                if (c.vs.length > 0) expect(store.keeps(store.getState())).toBe(false); // the transaction's own
              });
            kept();
          }
          store.release();
          for (const s of all) expect(store.keeps(s as never)).toBe(false);
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
