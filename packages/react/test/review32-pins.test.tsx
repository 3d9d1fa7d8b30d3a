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
import { useStore } from "@pagefork/react";
import type { Store } from "@pagefork/state";
import { cleanup } from "@testing-library/react";
import { afterEach, describe, it } from "vitest";
import { sameViews } from "./support/hooks.js";
import { type App, expectPinMoves, expectTakenOutReadable, type Settings } from "./support/settings-app.js";

afterEach(cleanup);

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

describe("review 32: views inside a Map, a Set or a class instance of a selection stay readable", () => {
  for (const [name, make, take] of shapes)
    it(`${name}: the view taken out stays readable after the selection changed and the store dropped its version`, async () => {
      const held: Settings[] = [];
      function View({ store }: { store: Store<typeof App> }) {
        const sel = useStore(store, (r) => make(r.settings), sameViews);
        const settings = take(sel);
        held.push(settings); // as an event handler's closure would
        return <p data-testid="theme">{settings.theme}</p>;
      }
      await expectTakenOutReadable((store) => <View store={store} />, held);
    });

  it("a Map of views kept equal moves its pin with the store: the pool holds what a store without hooks holds", async () => {
    function View({ store }: { store: Store<typeof App> }) {
      const sel = useStore(store, (r) => new Map([["s", r.settings]]), sameViews);
      return <p data-testid="theme">{sel.get("s")?.theme}</p>;
    }
    await expectPinMoves((store) => <View store={store} />);
  });
});
