/**
 * The settings app of the pin tests (reviews 31 to 33): a state with a
 * record, a long list and a number, a store of it in its own pool, and the
 * two checks those tests make of a selection shape: a view taken out of an
 * earlier selection stays readable after the store dropped its version, and
 * a selection kept equal moves its pin with the store (the pool holds what a
 * store without hooks holds).
 */
import { FramePool } from "@pagefork/core";
import { createStore, type Store, t } from "@pagefork/state";
import { act, cleanup, render, screen } from "@testing-library/react";
import type { ReactElement } from "react";
import { expect } from "vitest";
import { collectUntil } from "../../../../test/support/collect.js";
import { microtasks } from "./hooks.js";

export const App = t.struct({ settings: t.struct({ theme: t.string }), list: t.list(t.f64), n: t.u32 });
export type Root = t.Infer<typeof App>;
export type Settings = Root["settings"];

/** A list of 3000 multiples of `k` (several pages, so that each rewrite copies frames). */
export const big = (k: number): number[] => Array.from({ length: 3000 }, (_, i) => i * k);

/** A recipe writing every element of the list (`i * k`) and `n = k`. */
export const rewrite =
  (k: number) =>
  (d: { list: number[]; n: number }): void => {
    for (let i = 0; i < d.list.length; i++) d.list[i] = i * k;
    d.n = k;
  };

/** A store of App (theme `theme`, list `big(1)`) in a pool of its own, of 256-byte pages. */
export function settingsStore(theme = "dark", maxVersions = Number.POSITIVE_INFINITY) {
  const pool = new FramePool({ pageSize: 256 });
  const store = createStore(App, { settings: { theme }, list: big(1), n: 0 }, { pool, maxVersions });
  return { pool, store };
}

/** Commits `theme` as the store's theme, inside `act`. */
export function setTheme(store: Store<typeof App>, theme: string): void {
  act(() => {
    store.setState((d) => {
      d.settings.theme = theme;
    });
  });
}

/**
 * Renders `ui(store)` over a store keeping one version, whose component pushes
 * every settings view it takes out of its selection to `held` and shows the
 * theme in `data-testid="theme"`. Changes the theme to "light" (the second
 * selection), then twice more (the fiber's alternate holds the last selection
 * but one), drops every held view but the second selection's, rewrites the
 * list so the store drops its versions, and collects: that view still reads
 * "light". Then unmounts and releases: no frame left.
 */
export async function expectTakenOutReadable(
  ui: (store: Store<typeof App>) => ReactElement,
  held: Settings[],
): Promise<void> {
  const { pool, store } = settingsStore("dark", 1);
  render(ui(store));
  setTheme(store, "light");
  // the view of the second selection (the first may stay referenced by React's mount)
  const second = held[held.length - 1] as Settings;
  for (const theme of ["blue", "red"]) setTheme(store, theme);
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
}

/**
 * Renders `ui(store)` (showing the theme in `data-testid="theme"` from a
 * selection kept equal) over a store keeping one version, and rewrites the
 * list four times, on it and on a twin store without hooks: after each, the
 * two pools hold the same frames (the pin moved to the current version).
 * Then unmounts and releases both: no frame left.
 */
export async function expectPinMoves(ui: (store: Store<typeof App>) => ReactElement): Promise<void> {
  const { pool, store } = settingsStore("dark", 1);
  const twin = settingsStore("dark", 1);
  render(ui(store));
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
}
