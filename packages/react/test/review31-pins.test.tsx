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
import { useStore } from "@pagefork/react";
import type { Store } from "@pagefork/state";
import { act, cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { microtasks } from "./support/hooks.js";
import {
  type App,
  expectPinMoves,
  expectTakenOutReadable,
  rewrite,
  type Settings,
  setTheme,
  settingsStore,
} from "./support/settings-app.js";

afterEach(cleanup);

const shallow = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  Object.keys(a).length === Object.keys(b).length && Object.keys(a).every((k) => Object.is(a[k], b[k]));

describe("review 31: a selection of plain data holding views", () => {
  it("a view taken out of the selection stays readable after the selection changed and the store dropped its version", async () => {
    const held: Settings[] = [];
    function View({ store }: { store: Store<typeof App> }) {
      const { settings } = useStore(store, (r) => ({ settings: r.settings }), shallow);
      held.push(settings); // as an event handler's closure would
      return <p data-testid="theme">{settings.theme}</p>;
    }
    await expectTakenOutReadable((store) => <View store={store} />, held);
  });

  it("a selection kept equal moves its pin with the store: the pool holds what a store without hooks holds", async () => {
    function View({ store }: { store: Store<typeof App> }) {
      const sel = useStore(store, (r) => ({ settings: r.settings, tag: "x" }), shallow);
      return <p data-testid="theme">{sel.settings.theme}</p>;
    }
    await expectPinMoves((store) => <View store={store} />);
  });
});

describe("review 31: useStore given another store", () => {
  it("drops the old store's subscription and pins, reads the new one", async () => {
    const a = settingsStore("dark");
    const b = settingsStore("light");
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
    setTheme(a.store, "blue");
    expect(renders).toBe(before); // the old store is not listened to
    setTheme(b.store, "green");
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
