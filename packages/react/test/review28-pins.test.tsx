// @vitest-environment happy-dom
/// <reference lib="dom" />
/**
 * Review 28: the pin of an unchanged selection moved one change late.
 *
 * useStore moves the pin of a value that stays selected to the current
 * version once the store gives up the version the pin forks. It checked that
 * in its store listener with `pin.of.released`; but the store keeps the
 * version a change replaced (`prev`: the step a commit past `maxVersions`,
 * `maxBytes` or `coalesceMs` drops) readable until its listeners were told,
 * and releases it only then. So the pin saw a live version, stayed, and from
 * then on its fork alone kept that version's pages: in the pool (counted in
 * `maxBytes`) until the next change, for good if none came.
 *
 * A selection that its version references (the version itself,
 * `(root, state) => state`, as the web example's paint stats select) was
 * never released while mounted: the pin held its version strongly and the
 * FinalizationRegistry holds each pin strongly, so the value it waited for
 * could not be collected. Every version such a component ever showed stayed
 * in the pool (2764 frames for 30 commits of a 100-frame state with
 * `maxVersions: 1`). Pins now hold their version weakly, and a version
 * selected itself is not pinned (a released version cannot be read anyway).
 */
import { FramePool } from "@pagefork/core";
import { useStore } from "@pagefork/react";
import { createStore, t } from "@pagefork/state";
import { act, cleanup, render, screen } from "@testing-library/react";
import { StrictMode } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { collectUntil } from "../../../test/support/collect.js";

afterEach(cleanup);
const microtasks = () => new Promise((r) => setTimeout(r, 0));

const App = t.struct({ settings: t.struct({ theme: t.string }), list: t.list(t.f64), n: t.u32 });
const big = (k: number) => Array.from({ length: 3000 }, (_, i) => i * k);

describe("review 28: an unchanged selection's pin follows the store in the change that drops its version", () => {
  for (const options of [{ maxVersions: 1 }, { coalesceMs: 1e9 }, { maxVersions: 3, maxBytes: 0 }])
    it(`${JSON.stringify(options)}: the pool holds what a store without hooks holds, right after the commit (regression: the dropped version's pages until the next change)`, async () => {
      let clock = 0;
      const make = () => {
        const pool = new FramePool({ pageSize: 256 });
        const store = createStore(
          App,
          { settings: { theme: "dark" }, list: big(1), n: 0 },
          { pool, now: () => clock++, ...options },
        );
        return { pool, store };
      };
      const { pool, store } = make();
      const twin = make(); // the same commits, no hook: what the store itself keeps
      const rewrite = (k: number) => (d: { list: number[]; n: number }) => {
        for (let i = 0; i < d.list.length; i++) d.list[i] = i * k;
        d.n = k;
      };
      // mounted on a step of its own, the top one (the one a coalesced commit replaces)
      store.setState(rewrite(2));
      twin.store.setState(rewrite(2));
      function Settings({ id }: { id: number }) {
        const settings = useStore(store, (r) => r.settings);
        return <p data-testid={`s${id}`}>{settings.theme}</p>;
      }
      render(
        <StrictMode>
          <Settings id={0} />
          <Settings id={1} />
        </StrictMode>,
      );
      await microtasks(); // StrictMode's simulated unmount gives its pins back in a microtask
      for (let k = 3; k < 6; k++) {
        const recipe = rewrite(k);
        act(() => {
          store.setState(recipe);
        });
        twin.store.setState(recipe);
        expect(store.stats().versions).toBe(twin.store.stats().versions);
        expect(pool.framesInUse).toBe(twin.pool.framesInUse);
      }
      expect(screen.getByTestId("s1").textContent).toBe("dark");
      cleanup();
      await microtasks();
      expect(pool.framesInUse).toBe(twin.pool.framesInUse);
      store.release();
      twin.store.release();
      await microtasks();
      expect(pool.framesInUse).toBe(0);
    });
});

describe("review 28: a selection that references its version is released once collected", () => {
  const selectors = {
    "the version itself": (_r: unknown, state: unknown) => state,
  };
  for (const [name, selector] of Object.entries(selectors))
    it(`${name}: the pool stays at a few versions while mounted (regression: every version shown stayed pinned)`, async () => {
      const pool = new FramePool({ pageSize: 256 });
      const store = createStore(App, { settings: { theme: "dark" }, list: big(1), n: 0 }, { pool, maxVersions: 1 });
      const one = pool.framesInUse;
      function Stats() {
        const v = useStore(store, selector as (r: { n: number }, s: unknown) => unknown);
        return <p data-testid="n">{typeof v === "object" && v !== null ? "shown" : "?"}</p>;
      }
      render(<Stats />);
      for (let k = 2; k < 30; k++)
        act(() => {
          store.setState((d) => {
            for (let i = 0; i < d.list.length; i++) d.list[i] = i * k;
            d.n = k;
          });
        });
      await collectUntil(() => pool.framesInUse <= one * 4);
      expect(pool.framesInUse).toBeLessThanOrEqual(one * 4);
      cleanup();
      store.release();
      await microtasks();
      expect(pool.framesInUse).toBe(0);
    });
});
