// @vitest-environment happy-dom
/// <reference lib="dom" />
/**
 * Review 32: pins of selections holding views inside a `Map`, a `Set` or a
 * class instance (React 18 and 19, see test/react18). Regression: the walk
 * that finds the views of a selection stopped at anything but plain objects
 * and arrays, so a selector returning `new Map([["s", r.settings]])` was
 * pinned by the Map alone; once a new selection replaced it and it was
 * collected, the view taken out of it (an event handler's closure, a memo
 * child) threw ReleasedError after the store dropped its version.
 */
import { FramePool } from "@pagefork/core";
import { useStore } from "@pagefork/react";
import { createStore, t } from "@pagefork/state";
import { act, cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { collectUntil } from "../../../test/support/collect.js";

afterEach(cleanup);
const microtasks = () => new Promise((r) => setTimeout(r, 0));

const App = t.struct({ settings: t.struct({ theme: t.string }), list: t.list(t.f64), n: t.u32 });
type Settings = t.Infer<typeof App>["settings"];
const big = (k: number) => Array.from({ length: 3000 }, (_, i) => i * k);
const rewrite = (k: number) => (d: { list: number[]; n: number }) => {
  for (let i = 0; i < d.list.length; i++) d.list[i] = i * k;
  d.n = k;
};

class Box {
  readonly inner: { settings: Settings };
  constructor(settings: Settings) {
    this.inner = { settings };
  }
}

// each selection shape: how it is made from the root, and how the view is taken out of it
const shapes: [string, (s: Settings) => unknown, (x: unknown) => Settings][] = [
  ["a Map value", (s) => new Map([["s", s]]), (x) => (x as Map<string, Settings>).get("s") as Settings],
  ["a Map key", (s) => new Map([[s, 1]]), (x) => [...(x as Map<Settings, number>).keys()][0] as Settings],
  ["a Set in an object", (s) => ({ set: new Set([s]) }), (x) => [...(x as { set: Set<Settings> }).set][0] as Settings],
  ["a class instance", (s) => new Box(s), (x) => (x as Box).inner.settings],
];
// equal while the views in them are the same
const sameViews = (a: unknown, b: unknown) => a === b || key(a) === key(b);
const ids = new WeakMap<object, number>();
let next = 0;
const id = (o: object) => {
  if (!ids.has(o)) ids.set(o, next++);
  return ids.get(o) as number;
};
const key = (x: unknown): string => {
  if (x instanceof Map) return `M${[...x].map(([k, v]) => `${key(k)}:${key(v)}`).join(",")}`;
  if (x instanceof Set) return `S${[...x].map(key).join(",")}`;
  if (x instanceof Box) return `B${key(x.inner.settings)}`;
  if (x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype)
    return `O${Object.entries(x).map(([k, v]) => `${k}=${key(v)}`)}`;
  return typeof x === "object" && x !== null ? `#${id(x)}` : String(x);
};

describe("review 32: views inside a Map, a Set or a class instance of a selection stay readable", () => {
  for (const [name, make, take] of shapes)
    it(`${name}: the view taken out stays readable after the selection changed and the store dropped its version`, async () => {
      const pool = new FramePool({ pageSize: 256 });
      const store = createStore(App, { settings: { theme: "dark" }, list: big(1), n: 0 }, { pool, maxVersions: 1 });
      const held: Settings[] = [];
      function View() {
        const sel = useStore(store, (r) => make(r.settings), sameViews);
        const settings = take(sel);
        held.push(settings); // as an event handler's closure would
        return <p data-testid="theme">{settings.theme}</p>;
      }
      render(<View />);
      act(() => {
        store.setState((d) => {
          d.settings.theme = "light";
        });
      });
      const second = held[held.length - 1] as Settings;
      for (const theme of ["blue", "red"])
        act(() => {
          store.setState((d) => {
            d.settings.theme = theme;
          });
        });
      expect(screen.getByTestId("theme").textContent).toBe("red");
      held.length = 0;
      for (let k = 2; k < 5; k++) act(() => store.setState(rewrite(k)));
      await collectUntil(() => false, 10);
      expect(second.theme).toBe("light");
      cleanup();
      store.release();
      await microtasks();
      expect(pool.framesInUse).toBe(0);
    });

  it("a Map of views kept equal moves its pin with the store: the pool holds what a store without hooks holds", async () => {
    const make = () => {
      const pool = new FramePool({ pageSize: 256 });
      const store = createStore(App, { settings: { theme: "dark" }, list: big(1), n: 0 }, { pool, maxVersions: 1 });
      return { pool, store };
    };
    const { pool, store } = make();
    const twin = make();
    function View() {
      const sel = useStore(store, (r) => new Map([["s", r.settings]]), sameViews);
      return <p data-testid="theme">{sel.get("s")?.theme}</p>;
    }
    render(<View />);
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
