// @vitest-environment happy-dom
/// <reference lib="dom" />
/**
 * Review 31: pins of selections that are not views, and of a store the hook
 * no longer shows.
 *
 * - A selector returning plain data holding views (`(r) => ({ settings:
 *   r.settings, n: r.n })` with a shallow `isEqual`) was pinned by the
 *   wrapper object alone: once a new selection replaced it, the wrapper was
 *   collected and the pin released, while the views taken out of it (an
 *   event handler's closure, a memo child) still needed their version: they
 *   threw ReleasedError once the store dropped it. And a wrapper kept equal
 *   across changes never moved its pin (only views did), so its version's
 *   pages stayed in the pool for as long as the selection stayed equal.
 * - A hook given another store (`useStore(props.store)`) kept the pins of
 *   what it showed of the old store until they were collected: released, the
 *   old store's pool still held the pinned versions' frames.
 */
import { FramePool } from "@pagefork/core";
import { useStore } from "@pagefork/react";
import { createStore, type Store, t } from "@pagefork/state";
import { act, cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { collectUntil } from "../../../test/support/collect.js";

afterEach(cleanup);
const microtasks = () => new Promise((r) => setTimeout(r, 0));

const App = t.struct({ settings: t.struct({ theme: t.string }), list: t.list(t.f64), n: t.u32 });
type Root = t.Infer<typeof App>;
const big = (k: number) => Array.from({ length: 3000 }, (_, i) => i * k);
const rewrite = (k: number) => (d: { list: number[]; n: number }) => {
  for (let i = 0; i < d.list.length; i++) d.list[i] = i * k;
  d.n = k;
};
const shallow = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  Object.keys(a).length === Object.keys(b).length && Object.keys(a).every((k) => Object.is(a[k], b[k]));

describe("review 31: a selection of plain data holding views", () => {
  it("a view taken out of the selection stays readable after the selection changed and the store dropped its version", async () => {
    const pool = new FramePool({ pageSize: 256 });
    const store = createStore(App, { settings: { theme: "dark" }, list: big(1), n: 0 }, { pool, maxVersions: 1 });
    const held: Root["settings"][] = [];
    function Settings() {
      const { settings } = useStore(store, (r) => ({ settings: r.settings }), shallow);
      held.push(settings); // as an event handler's closure would
      return <p data-testid="theme">{settings.theme}</p>;
    }
    render(<Settings />);
    act(() => {
      store.setState((d) => {
        d.settings.theme = "light";
      });
    });
    // the view of the second selection (the first may stay referenced by React's mount)
    const second = held[held.length - 1] as Root["settings"];
    for (const theme of ["blue", "red"]) // twice: the fiber's alternate holds the last selection but one
      act(() => {
        store.setState((d) => {
          d.settings.theme = theme;
        });
      });
    expect(screen.getByTestId("theme").textContent).toBe("red");
    held.length = 0; // only `second` is left of the second selection
    for (let k = 2; k < 5; k++) act(() => store.setState(rewrite(k)));
    // the wrapper of the second selection is garbage now: collect it
    await collectUntil(() => false, 10);
    expect(second.theme).toBe("light");
    cleanup();
    store.release();
    await microtasks();
    expect(pool.framesInUse).toBe(0);
  });

  it("a selection kept equal moves its pin with the store: the pool holds what a store without hooks holds", async () => {
    const make = () => {
      const pool = new FramePool({ pageSize: 256 });
      const store = createStore(App, { settings: { theme: "dark" }, list: big(1), n: 0 }, { pool, maxVersions: 1 });
      return { pool, store };
    };
    const { pool, store } = make();
    const twin = make();
    function Settings() {
      const sel = useStore(store, (r) => ({ settings: r.settings, tag: "x" }), shallow);
      return <p data-testid="theme">{sel.settings.theme}</p>;
    }
    render(<Settings />);
    for (let k = 2; k < 6; k++) {
      act(() => store.setState(rewrite(k)));
      twin.store.setState(rewrite(k));
      expect(pool.framesInUse).toBe(twin.pool.framesInUse);
    }
    expect(screen.getByTestId("theme").textContent).toBe("dark");
    cleanup();
    store.release();
    twin.store.release();
    await microtasks();
    expect(pool.framesInUse).toBe(0);
  });
});

describe("review 31: useStore given another store", () => {
  it("drops the old store's subscription and pins, reads the new one", async () => {
    const make = (theme: string) => {
      const pool = new FramePool({ pageSize: 256 });
      const store = createStore(App, { settings: { theme }, list: big(1), n: 0 }, { pool });
      return { pool, store };
    };
    const a = make("dark");
    const b = make("light");
    let renders = 0;
    const shown: unknown[] = []; // what the hook showed, held as a user's closure would
    function Settings({ store }: { store: Store<typeof App> }) {
      renders++;
      const settings = useStore(store, (r) => r.settings);
      shown.push(settings);
      return <p data-testid="theme">{settings.theme}</p>;
    }
    const view = render(<Settings store={a.store} />);
    act(() => a.store.setState(rewrite(2))); // settings unchanged: no render
    view.rerender(<Settings store={b.store} />);
    expect(screen.getByTestId("theme").textContent).toBe("light");
    const before = renders;
    act(() => {
      a.store.setState((d) => {
        d.settings.theme = "blue";
      });
    });
    expect(renders).toBe(before); // the old store is not listened to
    act(() => {
      b.store.setState((d) => {
        d.settings.theme = "green";
      });
    });
    expect(screen.getByTestId("theme").textContent).toBe("green");
    await microtasks();
    a.store.release(); // the old store's pool gets every frame back, though its values are still held
    await microtasks();
    expect(a.pool.framesInUse).toBe(0);
    expect(shown.length).toBeGreaterThan(0);
    cleanup();
    b.store.release();
    await microtasks();
    expect(b.pool.framesInUse).toBe(0);
  });
});
