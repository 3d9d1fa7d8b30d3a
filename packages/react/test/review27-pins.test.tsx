// @vitest-environment happy-dom
/// <reference lib="dom" />
/**
 * Review 27: the pin of a selection that does not change.
 *
 * useStore pins the version each value it shows came from (a fork), so the
 * value stays readable after the store drops that version. Its TSDoc says a
 * value shown again from a newer version that holds it moves its pin there,
 * "so an unchanged selection does not keep an old version's pages"; but the
 * pin was only ever made or moved by a layout effect that runs when the
 * selected value changes, so a selection that never changed kept the first
 * version it was shown from for as long as the component stayed mounted:
 * every page rewritten since stayed in the pool, counted in the store's
 * `maxBytes` too. Pins now move to the current version when the store has
 * released theirs and the current one still holds the value; forks are
 * shared by all the hooks pinning one version (one fork per version, not
 * per hook).
 */
import { FramePool } from "@pagefork/core";
import { useStore } from "@pagefork/react";
import { createStore, t } from "@pagefork/state";
import { act, cleanup, render, screen } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";

afterEach(cleanup);
const microtasks = () => new Promise((r) => setTimeout(r, 0));

const App = t.struct({ settings: t.struct({ theme: t.string }), list: t.list(t.f64), n: t.u32 });

it("a selection that never changes does not keep the first version's pages (regression: the pool held the old list too)", async () => {
  const pool = new FramePool({ pageSize: 256 });
  const big = (k: number) => Array.from({ length: 3000 }, (_, i) => i * k);
  const store = createStore(App, { settings: { theme: "dark" }, list: big(1), n: 0 }, { pool, maxVersions: 1 });
  const one = pool.framesInUse;
  function Rows({ id }: { id: number }) {
    const settings = useStore(store, (r) => r.settings);
    return <p data-testid={`s${id}`}>{settings.theme}</p>;
  }
  render(
    <div>
      {Array.from({ length: 20 }, (_, i) => `row${i}`).map((key, i) => (
        <Rows key={key} id={i} />
      ))}
    </div>,
  );
  for (let k = 2; k < 8; k++)
    act(() => {
      store.setState((d) => {
        for (let i = 0; i < d.list.length; i++) d.list[i] = i * k;
        d.n = k;
      });
    });
  // a small commit: the pins move off the version the big one dropped
  act(() => {
    store.setState((d) => {
      d.n = 99;
    });
  });
  await microtasks();
  expect(screen.getByTestId("s3").textContent).toBe("dark");
  // the current version and a few pages, not a second copy of the list
  expect(pool.framesInUse).toBeLessThan(one * 1.5);
  cleanup();
  store.release();
  await microtasks();
  expect(pool.framesInUse).toBe(0);
});
