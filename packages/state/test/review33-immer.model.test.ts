/**
 * Review 33: defect review of produce, patches and the store against Immer.
 * Random recipes mix list spreads, `map()`, `filter()`, splices, in-place and
 * copied sorts and reverses, moves, nested spreads, Map and Set copies, a map
 * given a plain object, duplicates of a record, text edits and typed-array
 * writes (support/immer-recipes.ts). Each runs on a state draft and on
 * Immer's draft of `current(root)`; results (in iteration order), patches
 * both ways (ours, and Immer's applyPatches on the JSON), a JSON round trip
 * of the patches, record identity, and frames after release are compared.
 * The store property runs them as commits, transactions, failing recipes,
 * undo, redo and goTo against a model history (of Immer's results), checking
 * every notification's patches.
 */
import { FramePool } from "@pagefork/core";
import {
  applyPatches,
  createState,
  createStore,
  current,
  type Patch,
  produceWithPatches,
  type State,
} from "@pagefork/state";
import fc from "fast-check";
import { enableMapSet, enablePatches, applyPatches as immerApply, produce as immerProduce, setAutoFreeze } from "immer";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";
import { eventLoopTurns } from "../../../test/support/turn.js";
import { App, appInput, immers, labels, ordered, ours, recipe, type Step, step } from "./support/immer-recipes.js";

enablePatches();
enableMapSet();
setAutoFreeze(false);

type AppState = State<typeof App>;
const plainOf = (s: AppState): unknown => current(s.root);

describe("review 33: produce against Immer", () => {
  it("results, patches both ways, Immer's applyPatches, identity and frames", async () => {
    let count = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 10 }),
        fc.integer({ min: 0, max: 6 }),
        fc.boolean(),
        async (steps: Step[], n, replaceText) => {
          if (++count % 20 === 0) await eventLoopTurns();
          const pool = new FramePool({ pageSize: 256 });
          const s0 = createState(App, appInput(n), { pool });
          const base = plainOf(s0) as { todos: unknown[] };
          const json0 = s0.toJSON() as object;
          const flags = { aliased: false };
          const [s1, patches, inverse] = produceWithPatches(s0, recipe(steps, ours, flags), {
            textPatches: replaceText ? "replace" : "splice",
          });
          const plain1 = immerProduce(base, recipe(steps, immers)) as { todos: unknown[] };
          expect(ordered(plainOf(s1))).toEqual(ordered(plain1));
          const json1 = s1.toJSON() as object;
          if (replaceText) {
            // Immer knows no splice patch: with whole-text replaces, it applies ours to the JSON
            expect(immerApply(json0, patches as never)).toEqual(json1);
            expect(immerApply(json1, inverse as never)).toEqual(json0);
          }
          const replayed = applyPatches(s0, JSON.parse(JSON.stringify(patches)) as Patch[]);
          expect(ordered(plainOf(replayed))).toEqual(ordered(plain1));
          const back = applyPatches(s1, JSON.parse(JSON.stringify(inverse)) as Patch[]);
          expect(ordered(plainOf(back))).toEqual(ordered(base));
          if (!flags.aliased)
            expect(labels(s0.root.todos as never, s1.root.todos as never)).toEqual(
              labels(base.todos as never, plain1.todos as never),
            );
          for (const s of [replayed, back, s1, s0]) if (!s.released) s.release();
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: runs(150) },
    );
  });
});

type Command =
  | { c: "commit"; steps: Step[] }
  | { c: "transact"; a: Step[]; b: Step[] }
  | { c: "fail"; steps: Step[] }
  | { c: "undo" }
  | { c: "redo" }
  | { c: "goTo"; i: number };
const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ c: fc.constant("commit" as const), steps: fc.array(step, { maxLength: 5 }) }), weight: 4 },
  {
    arbitrary: fc.record({
      c: fc.constant("transact" as const),
      a: fc.array(step, { maxLength: 3 }),
      b: fc.array(step, { maxLength: 3 }),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ c: fc.constant("fail" as const), steps: fc.array(step, { maxLength: 3 }) }), weight: 1 },
  { arbitrary: fc.record({ c: fc.constant("undo" as const) }), weight: 2 },
  { arbitrary: fc.record({ c: fc.constant("redo" as const) }), weight: 1 },
  { arbitrary: fc.record({ c: fc.constant("goTo" as const), i: fc.nat(9) }), weight: 1 },
);

describe("review 33: a store against a model history of Immer's results", () => {
  it("commits, transactions, failing recipes, undo, redo, goTo: versions, notifications and their patches, no leak", async () => {
    let count = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(command, { maxLength: 12 }),
        fc.integer({ min: 0, max: 5 }),
        fc.constantFrom(2, 3, Number.POSITIVE_INFINITY),
        async (commands, n, maxVersions) => {
          if (++count % 10 === 0) await eventLoopTurns();
          const pool = new FramePool({ pageSize: 256 });
          const store = createStore(App, appInput(n), { pool, maxVersions, textPatches: "replace" });
          // the model: Immer's results, oldest first, and the current one
          let history: unknown[] = [plainOf(store.getState())];
          let cursor = 0;
          const told: { next: object; prev: object; patches: readonly Patch[] }[] = [];
          const failures: string[] = [];
          store.subscribe((next, prev, patches) => {
            const nextJson = next.toJSON() as object;
            const prevJson = prev.toJSON() as object;
            told.push({ next: nextJson, prev: prevJson, patches });
            try {
              expect(immerApply(prevJson, patches as never)).toEqual(nextJson);
              const replayed = applyPatches(prev, patches as Patch[]);
              expect(ordered(plainOf(replayed))).toEqual(ordered(plainOf(next)));
              replayed.release();
            } catch (e) {
              failures.push(String(e));
            }
          });
          const commit = (plain: unknown) => {
            history = history.slice(0, cursor + 1);
            history.push(plain);
            while (history.length > maxVersions) history.shift();
            cursor = history.length - 1;
          };
          for (const cmd of commands) {
            const before = told.length;
            const now = history[cursor];
            switch (cmd.c) {
              case "commit": {
                const plain = immerProduce(now as object, recipe(cmd.steps, immers));
                store.setState(recipe(cmd.steps, ours));
                // a step is made iff the version changed (told): Immer's result may be a new
                // object of equal content, which the comparison below checks either way
                if (told.length > before) commit(plain);
                break;
              }
              case "transact": {
                const mid = immerProduce(now as object, recipe(cmd.a, immers));
                const plain = immerProduce(mid as object, recipe(cmd.b, immers));
                store.transact("t", () => {
                  store.setState(recipe(cmd.a, ours));
                  store.setState(recipe(cmd.b, ours));
                });
                if (told.length > before) commit(plain);
                break;
              }
              case "fail":
                expect(() =>
                  store.setState((d) => {
                    recipe(cmd.steps, ours)(d);
                    throw new Error("recipe failed");
                  }),
                ).toThrow("recipe failed");
                break;
              case "undo":
                store.undo();
                if (cursor > 0) cursor--;
                break;
              case "redo":
                store.redo();
                if (cursor < history.length - 1) cursor++;
                break;
              case "goTo":
                if (cmd.i < history.length) {
                  store.goTo(cmd.i);
                  cursor = cmd.i;
                } else expect(() => store.goTo(cmd.i)).toThrow();
                break;
            }
            expect(failures).toEqual([]);
            expect(store.position).toBe(cursor);
            expect(store.versions.length).toBe(history.length);
            expect(ordered(plainOf(store.getState()))).toEqual(ordered(history[cursor]));
            if (cmd.c === "fail") expect(told.length).toBe(before);
          }
          store.release();
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: runs(60) },
    );
  });
});
