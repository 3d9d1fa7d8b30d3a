/**
 * Review 26: the store against a model (an array of snapshots and a cursor)
 * under random commits, undos, redos and goTos with `maxVersions` and
 * `maxBytes`, and listeners that subscribe and unsubscribe listeners while
 * the store notifies. What the store promises (store.ts `subscribe`): each
 * notification tells the listeners subscribed when it began, in subscription
 * order (one unsubscribed meanwhile is still told this once; one subscribed
 * meanwhile is told from the next change on), as Redux does. Evictions only
 * drop the oldest versions; every kept version reads as the model says; a
 * listener's `next` and `prev` are readable; after `release()` the pool
 * holds no frame.
 */
import { FramePool } from "@pagefork/core";
import { createStore, t } from "@pagefork/state";
import fc from "fast-check";
import { expect, it } from "vitest";

const RUNS_SCALE = Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1);
const S = t.struct({ n: t.u32, items: t.list(t.u32) });

type Op =
  | { k: "commit"; x: number; grow: boolean }
  | { k: "undo" }
  | { k: "redo" }
  | { k: "goTo"; i: number }
  | { k: "sub" }
  | { k: "unsub"; j: number }
  | { k: "plan"; who: number; act: "sub" | "unsub"; j: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ k: fc.constant("commit" as const), x: fc.nat(1000), grow: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constant({ k: "undo" as const }) },
  { weight: 2, arbitrary: fc.constant({ k: "redo" as const }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("goTo" as const), i: fc.nat(10) }) },
  { weight: 1, arbitrary: fc.constant({ k: "sub" as const }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("unsub" as const), j: fc.nat(10) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant("plan" as const),
      who: fc.nat(10),
      act: fc.constantFrom("sub" as const, "unsub" as const),
      j: fc.nat(10),
    }),
  },
);

interface Snap {
  n: number;
  items: number[];
}

it("store vs a model of snapshots, with maxVersions/maxBytes and listeners changing the listener set mid-notification", () => {
  fc.assert(
    fc.property(
      fc.array(op, { maxLength: 40 }),
      fc.constantFrom(Number.POSITIVE_INFINITY, 1, 3),
      fc.constantFrom(Number.POSITIVE_INFINITY, 0, 40 * 256),
      (ops, maxVersions, maxBytes) => {
        const pool = new FramePool({ pageSize: 256 });
        const store = createStore(S, { n: 0, items: [] }, { pool, maxVersions, maxBytes });
        let steps: Snap[] = [{ n: 0, items: [] }];
        let cursor = 0;
        // listeners: id -> unsubscribe; the model's list in subscription order
        const unsubs = new Map<number, () => void>();
        let order: number[] = [];
        let nextId = 0;
        const told: [number, number, Snap, Snap][] = []; // [id, notification, next, prev]
        let notification = 0;
        // the model's [next, prev] of each notification the ops made (versions of equal contents may differ)
        const pairs = new Map<number, [Snap, Snap]>();
        // planned mid-notification actions: listener `who` does `act` on the next notification it sees
        let plans: { who: number; act: "sub" | "unsub"; j: number }[] = [];
        const expected: [number, number][] = [];

        const subscribe = (): void => {
          const id = nextId++;
          const un = store.subscribe((next, prev) => {
            told.push([id, notification, next.toJSON() as Snap, prev.toJSON() as Snap]);
            const mine = plans.filter((p) => p.who === id);
            plans = plans.filter((p) => p.who !== id);
            for (const p of mine) {
              if (p.act === "sub") subscribe();
              else {
                const target = order[p.j % order.length];
                if (target !== undefined) unsubscribe(target);
              }
            }
          });
          unsubs.set(id, un);
          order.push(id);
        };
        const unsubscribe = (id: number): void => {
          unsubs.get(id)?.();
          unsubs.delete(id);
          order = order.filter((x) => x !== id);
        };
        subscribe();
        subscribe();

        const notifyModel = (): void => {
          // who is told: the listeners subscribed when the notification began
          for (const id of order) expected.push([id, notification]);
        };
        const move = (to: number): void => {
          notification++;
          notifyModel();
          pairs.set(notification, [steps[to] as Snap, steps[cursor] as Snap]);
          cursor = to;
        };
        /** Drops the oldest steps the store dropped (it may only drop from the front). */
        const evicted = (): void => {
          const kept = store.versions.length;
          expect(kept).toBeLessThanOrEqual(steps.length);
          const gone = steps.length - kept;
          steps = steps.slice(gone);
          cursor -= gone;
        };

        for (const o of ops) {
          switch (o.k) {
            case "commit": {
              const next: Snap = {
                n: o.x,
                items: o.grow ? [...(steps[cursor] as Snap).items, o.x] : (steps[cursor] as Snap).items,
              };
              const same = next.n === (steps[cursor] as Snap).n && !o.grow;
              if (!same) {
                notification++;
                notifyModel();
                pairs.set(notification, [next, steps[cursor] as Snap]);
                steps = [...steps.slice(0, cursor + 1), next];
                if (steps.length > maxVersions) steps = steps.slice(steps.length - maxVersions);
                cursor = steps.length - 1;
              }
              store.setState((d) => {
                d.n = o.x;
                if (o.grow) d.items.push(o.x);
              });
              evicted();
              if (maxBytes !== Number.POSITIVE_INFINITY)
                expect(pool.bytesInUse <= maxBytes || store.position === 0).toBe(true);
              break;
            }
            case "undo":
              if (cursor > 0) move(cursor - 1);
              store.undo();
              break;
            case "redo":
              if (cursor < steps.length - 1) move(cursor + 1);
              store.redo();
              break;
            case "goTo": {
              const i = o.i % steps.length;
              if (i !== cursor) move(i);
              store.goTo(i);
              break;
            }
            case "sub":
              subscribe();
              break;
            case "unsub": {
              const id = order[o.j % Math.max(1, order.length)];
              if (id !== undefined) unsubscribe(id);
              break;
            }
            case "plan":
              if (order.length > 0) plans.push({ who: order[o.who % order.length] as number, act: o.act, j: o.j });
          }
          expect([store.position, store.versions.length]).toEqual([cursor, steps.length]);
          expect(store.getState().toJSON()).toEqual(steps[cursor]);
        }
        // every kept version reads as the model says (these goTos' notifications are not checked below)
        const checked = told.length;
        const at = store.position;
        for (let i = 0; i < steps.length; i++) expect(store.goTo(i).toJSON()).toEqual(steps[i]);
        store.goTo(at);
        expect(told.map(([id, k]) => [id, k]).slice(0, expected.length)).toEqual(expected);
        for (const [, n, next, prev] of told.slice(0, checked)) expect([next, prev]).toEqual(pairs.get(n));
        store.release();
        expect(pool.framesInUse).toBe(0);
      },
    ),
    { numRuns: Math.round(150 * RUNS_SCALE) },
  );
});
