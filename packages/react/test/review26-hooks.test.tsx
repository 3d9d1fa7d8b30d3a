// @vitest-environment happy-dom
/// <reference lib="dom" />
/**
 * Review 26: useStore under React's concurrent features and StrictMode.
 * - A value React still renders after the store dropped its version: with
 *   `maxVersions: 1` or `coalesceMs`, `useDeferredValue(useStore(...))`
 *   rendered the previous version's view during the urgent render and threw
 *   ReleasedError (every version holding it was released); so did an effect
 *   cleanup reading what an unmounting row showed. The hook now pins the
 *   version of each value it showed until the value is collected or the
 *   component unmounts.
 * - Pins neither leak (every frame is back after unmount and release, and
 *   while mounted the pool stays bounded once old values are collected) nor
 *   survive StrictMode's double mount.
 * - startTransition commits render consistently (no tearing), and a selector
 *   that builds a new object each call does not loop.
 */
import { FramePool } from "@pagefork/core";
import { useHistory, useStore } from "@pagefork/react";
import { createStore, type Store, t } from "@pagefork/state";
import { act, cleanup, render, screen } from "@testing-library/react";
import {
  Component,
  memo,
  type ReactNode,
  StrictMode,
  startTransition,
  useDeferredValue,
  useEffect,
  useLayoutEffect,
  version,
} from "react";
import { afterEach, describe, expect, it } from "vitest";
import { collectUntil } from "../../../test/support/collect.js";

const Todo = t.struct({ id: t.string, title: t.string });
const App = t.struct({ todos: t.list(Todo), n: t.u32, settings: t.struct({ theme: t.string }) });
type A = typeof App;

afterEach(cleanup);

class Boundary extends Component<{ children: ReactNode }, { error: string | null }> {
  override state = { error: null as string | null };
  static getDerivedStateFromError(e: Error) {
    return { error: `${e.name}: ${e.message}` };
  }
  override render() {
    return this.state.error === null ? this.props.children : <p data-testid="error">{this.state.error}</p>;
  }
}

function makeStore(options: object): { pool: FramePool; store: Store<A> } {
  const pool = new FramePool({ pageSize: 256 });
  const store = createStore(
    App,
    { todos: [{ id: "a", title: "A" }], n: 0, settings: { theme: "dark" } },
    { pool, ...options },
  );
  return { pool, store };
}

/** Lets the hooks' unmount release (a microtask) run. */
const microtasks = () => new Promise((r) => setTimeout(r, 0));

function quietly<T>(fn: () => T): T {
  const quiet = console.error;
  console.error = () => {};
  try {
    return fn();
  } finally {
    console.error = quiet;
  }
}

describe(`review 26: useStore lifetimes (React ${version})`, () => {
  for (const options of [{ maxVersions: 1 }, { coalesceMs: 1e9 }, { maxBytes: 0 }])
    it(`useDeferredValue shows the previous version's view after the store dropped it: ${JSON.stringify(options)} (regression: ReleasedError)`, async () => {
      const { pool, store } = makeStore(options);
      const shown: string[] = [];
      function List() {
        const todos = useDeferredValue(useStore(store, (r) => r.todos));
        const text = todos.map((x) => x.title).join(",");
        shown.push(text);
        return <p data-testid="t">{text}</p>;
      }
      quietly(() => {
        render(
          <Boundary>
            <List />
          </Boundary>,
        );
        for (const id of ["b", "c", "d"])
          act(() => {
            store.setState((d) => {
              d.todos.push({ id, title: id.toUpperCase() });
            });
          });
      });
      expect(screen.queryByTestId("error")?.textContent).toBeUndefined();
      expect(screen.getByTestId("t").textContent).toBe("A,B,C,D");
      expect(shown).toContain("A"); // the urgent render showed the deferred, older value
      cleanup();
      store.release();
      await microtasks();
      expect(pool.framesInUse).toBe(0);
    });

  it("an effect cleanup reads what an unmounting row showed, after the store dropped its version (regression: ReleasedError)", async () => {
    const { pool, store } = makeStore({ maxVersions: 1 });
    const saved: string[] = [];
    const Row = memo(function Row({ todo }: { todo: t.Infer<typeof Todo> }) {
      useEffect(() => () => void saved.push(todo.title), [todo]);
      return <li>{todo.title}</li>;
    });
    function List() {
      const todos = useStore(store, (r) => r.todos);
      return (
        <ul>
          {todos.map((x) => (
            <Row key={x.id} todo={x} />
          ))}
        </ul>
      );
    }
    render(<List />);
    act(() => {
      store.setState((d) => {
        d.todos[0]!.title = "A2";
      });
    });
    act(() => {
      store.setState((d) => {
        d.todos.splice(0, 1);
      });
    });
    expect(saved).toEqual(["A", "A2"]);
    cleanup();
    store.release();
    await microtasks();
    expect(pool.framesInUse).toBe(0);
  });

  it("StrictMode (double render, double effects): values, history and no frame kept after unmount and release", async () => {
    const { pool, store } = makeStore({ maxVersions: 2 });
    const seen: string[] = [];
    function View() {
      const n = useStore(store, (r) => r.n);
      const todos = useStore(store, (r) => r.todos);
      const h = useHistory(store);
      useLayoutEffect(() => void seen.push(`${n}:${todos.length}`));
      return <p data-testid="v">{`${n} ${todos.length} ${h.position}/${h.size} ${h.canUndo}`}</p>;
    }
    render(
      <StrictMode>
        <View />
      </StrictMode>,
    );
    for (let i = 1; i <= 4; i++)
      act(() => {
        store.setState((d) => {
          d.n = i;
          d.todos.push({ id: `x${i}`, title: "x" });
        });
      });
    expect(screen.getByTestId("v").textContent).toBe("4 5 1/2 true");
    act(() => void store.undo());
    expect(screen.getByTestId("v").textContent).toBe("3 4 0/2 false");
    for (const s of seen) expect(Number(s.split(":")[1])).toBe(Number(s.split(":")[0]) + 1); // no tearing between the two hooks
    cleanup();
    await microtasks();
    store.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("pins do not accumulate while mounted: once old values are collected the pool is back to a few versions", async () => {
    const { pool, store } = makeStore({ maxVersions: 1 });
    function List() {
      const todos = useStore(store, (r) => r.todos);
      const settings = useStore(store, (r) => r.settings); // never changes: its pin stays, one version
      return <p>{`${todos.length} ${settings.theme}`}</p>;
    }
    render(<List />);
    const one = pool.framesInUse;
    for (let i = 0; i < 200; i++)
      act(() => {
        store.setState((d) => {
          d.todos[0]!.title = `t${i}`;
          d.n = i;
        });
      });
    await collectUntil(() => pool.framesInUse <= one * 4);
    expect(pool.framesInUse).toBeLessThanOrEqual(one * 4);
    cleanup();
    store.release();
    await microtasks();
    expect(pool.framesInUse).toBe(0);
  });

  it("useHistory follows maxBytes evicting old versions after a commit (regression: it kept showing the size and position from before the eviction)", async () => {
    const pool = new FramePool({ pageSize: 256 });
    const store = createStore(
      t.struct({ list: t.list(t.f64) }),
      { list: [] },
      { pool, maxVersions: 2, maxBytes: 64 * 256 },
    );
    function H() {
      const h = useHistory(store);
      return <p data-testid="h">{`${h.position}/${h.size} ${h.canUndo}`}</p>;
    }
    render(<H />);
    act(() => {
      store.setState((d) => {
        d.list.push(1);
      });
    });
    expect(screen.getByTestId("h").textContent).toBe("1/2 true");
    // a big commit: at notification time still 2 versions (maxVersions), then maxBytes evicts the older one
    await act(async () => {
      store.setState((d) => {
        for (let i = 0; i < 2000; i++) d.list.push(i);
      });
    });
    expect([store.position, store.versions.length]).toEqual([0, 1]);
    expect(screen.getByTestId("h").textContent).toBe("0/1 false");
    cleanup();
    store.release();
    await microtasks();
    expect(pool.framesInUse).toBe(0);
  });

  it("startTransition commits: both hooks of a component always read one version (no tearing)", () => {
    const { store } = makeStore({});
    const pairs: [number, number][] = [];
    function A() {
      const n = useStore(store, (r) => r.n);
      const len = useStore(store, (r) => r.todos.length);
      pairs.push([n, len]);
      return <p>{n}</p>;
    }
    render(
      <>
        <A />
        <A />
      </>,
    );
    for (let i = 1; i <= 5; i++)
      act(() =>
        startTransition(() => {
          store.setState((d) => {
            d.n = i;
            d.todos.push({ id: `${i}`, title: "" });
          });
        }),
      );
    for (const [n, len] of pairs) expect(len).toBe(n + 1);
    expect(pairs.at(-1)).toEqual([5, 6]);
    store.release();
  });

  it("a selector that builds a new object each call does not loop: one render per store change; a shallow isEqual skips unrelated ones", () => {
    const { store } = makeStore({});
    let plain = 0;
    let shallow = 0;
    function Plain() {
      const v = useStore(store, (r) => ({ n: r.n }));
      plain++;
      return <p>{v.n}</p>;
    }
    function Shallow() {
      const v = useStore(
        store,
        (r) => ({ n: r.n }),
        (a, b) => a.n === b.n,
      );
      shallow++;
      return <p>{v.n}</p>;
    }
    render(
      <>
        <Plain />
        <Shallow />
      </>,
    );
    act(() => {
      store.setState((d) => {
        d.settings.theme = "light";
      });
    });
    act(() => {
      store.setState((d) => {
        d.n = 1;
      });
    });
    expect(plain).toBe(3);
    expect(shallow).toBe(2);
    store.release();
  });
});
