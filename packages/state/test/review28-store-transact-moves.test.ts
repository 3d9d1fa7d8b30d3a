/**
 * Review 28: undo and redo inside `transact`.
 *
 * `goTo` inside a transaction is refused (InvalidArgumentError). `undo()` and
 * `redo()` reach it only when there is a step to move to: inside a
 * transaction at the oldest (newest) step they returned undefined silently,
 * elsewhere they threw an error about `goTo(index)`, an argument the caller
 * never gave. Both are now refused the same way wherever the history stands,
 * naming the call; nothing changes, and the transaction goes on.
 */
import { InvalidArgumentError } from "@pagefork/core";
import { createStore, t } from "@pagefork/state";
import { describe, expect, it } from "vitest";

const S = t.struct({ n: t.u32 });

describe("review 28: undo/redo inside transact", () => {
  for (const at of ["oldest", "middle", "newest"] as const)
    it(`at the ${at} step: undo and redo are refused by name, nothing changes, the transaction commits (regression: silent no-op or goTo's error)`, () => {
      const store = createStore(S, { n: 0 });
      for (let i = 1; i <= 2; i++)
        store.setState((d) => {
          d.n = i;
        });
      if (at === "oldest") store.goTo(0);
      if (at === "middle") store.goTo(1);
      const position = store.position;
      const told: number[] = [];
      store.subscribe((next) => told.push(next.root.n));
      store.transact("t", () => {
        store.setState((d) => {
          d.n = 10;
        });
        for (const move of ["undo", "redo"] as const) {
          const before = store.getState();
          let error: unknown;
          try {
            store[move]();
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(InvalidArgumentError);
          expect((error as Error).message).toContain(move);
          expect(store.getState()).toBe(before);
        }
      });
      expect(told).toEqual([10]);
      expect(store.position).toBe(position + 1);
      expect(store.getState().root.n).toBe(10);
      store.undo();
      expect(store.position).toBe(position);
      store.release();
    });
});
