// @vitest-environment happy-dom
/// <reference lib="dom" />
/**
 * Review 27: the store applies `maxBytes` before it notifies (store.ts
 * `trim`), so useHistory and the zustand middleware follow an eviction with
 * the notification itself, synchronously: before, both re-checked the
 * store a microtask after each notification, and until then showed
 * `canUndo: true` and the size from before the eviction (a zustand
 * subscriber saw the stale values). With the microtask gone, review26's
 * useHistory-and-maxBytes test fails against the old store; the zustand
 * case here fails against it with or without the microtask.
 */
import { FramePool } from "@pagefork/core";
import { useHistory } from "@pagefork/react";
import { createStore, t } from "@pagefork/state";
import { pagefork } from "@pagefork/state/zustand";
import { act, cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { createStore as createVanilla } from "zustand/vanilla";

afterEach(cleanup);

const L = t.struct({ list: t.list(t.f64) });
const microtasks = () => new Promise((r) => setTimeout(r, 0));

describe("review 27: history controls follow maxBytes synchronously", () => {
  it("useHistory: a commit that maxBytes trims shows 0/1 in the same act (regression: 1/2 true until a microtask)", async () => {
    const pool = new FramePool({ pageSize: 256 });
    const store = createStore(L, { list: [] }, { pool, maxBytes: 64 * 256 });
    const shown: string[] = [];
    function H() {
      const h = useHistory(store);
      const text = `${h.position}/${h.size} ${h.canUndo}`;
      shown.push(text);
      return <p data-testid="h">{text}</p>;
    }
    render(<H />);
    act(() => {
      store.setState((d) => {
        d.list.push(1);
      });
    });
    expect(screen.getByTestId("h").textContent).toBe("1/2 true");
    act(() => {
      store.setState((d) => {
        for (let i = 0; i < 2000; i++) d.list.push(i);
      });
    });
    expect(screen.getByTestId("h").textContent).toBe("0/1 false");
    expect(shown.at(-1)).toBe("0/1 false");
    cleanup();
    store.release();
    await microtasks();
    expect(pool.framesInUse).toBe(0);
  });

  it("zustand: canUndo is right in the subscriber's call, for set() and for calls on $store (regression: true until a microtask)", () => {
    const pool = new FramePool({ pageSize: 256 });
    const z = createVanilla(
      pagefork(
        L,
        (set) => ({
          list: [] as number[],
          push: (n: number) =>
            set((d) => {
              for (let i = 0; i < n; i++) d.list.push(i);
            }),
        }),
        { pool, maxBytes: 64 * 256 },
      ),
    );
    const told: [boolean, boolean][] = [];
    z.subscribe((s) => told.push([s.canUndo, s.$store.canUndo]));
    z.getState().push(1);
    z.getState().push(2000);
    z.getState().$store.setState((d) => {
      for (let i = 0; i < 2000; i++) d.list.push(i);
    });
    expect(told).toEqual([
      [true, true],
      [false, false],
      [false, false],
    ]);
    expect(z.getState().canUndo).toBe(false);
    z.getState().$store.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("zustand: a subscriber that sets while told ends on the store's current version", () => {
    const pool = new FramePool({ pageSize: 256 });
    const C = t.struct({ n: t.u32, m: t.u32 });
    const z = createVanilla(
      pagefork(C, (set) => ({ n: 0, m: 0, setN: (n: number) => set({ n }), setM: (m: number) => set({ m }) }), {
        pool,
      }),
    );
    let once = true;
    z.subscribe((s) => {
      if (once && s.n === 1) {
        once = false;
        s.setM(5);
      }
    });
    z.getState().setN(1);
    expect([z.getState().n, z.getState().m]).toEqual([1, 5]);
    expect(z.getState().$state).toBe(z.getState().$store.getState());
    z.getState().undo();
    expect([z.getState().n, z.getState().m]).toEqual([1, 0]);
    z.getState().$store.release();
    expect(pool.framesInUse).toBe(0);
  });
});
