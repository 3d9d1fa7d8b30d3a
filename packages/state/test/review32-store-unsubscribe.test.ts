/**
 * Review 32: an unsubscribe function removes its own subscription, once.
 * Regression: listeners were a Set, so a stale unsubscribe called again after
 * the same listener subscribed anew (a cleanup run twice, an effect's old
 * cleanup after its re-run subscribed the same function) removed the new
 * subscription: the listener silently stopped hearing of changes. Now each
 * subscription counts: the listener is told once per change while any of its
 * subscriptions is active, and each unsubscribe function acts once.
 */
import { createStore, t } from "@pagefork/state";
import { describe, expect, it } from "vitest";

const App = t.struct({ n: t.u32 });

describe("review 32: store subscriptions", () => {
  it("a stale unsubscribe does not remove a later subscription of the same listener", () => {
    const store = createStore(App, { n: 0 });
    const seen: number[] = [];
    const listener = (next: { root: { n: number } }) => void seen.push(next.root.n);
    const first = store.subscribe(listener);
    first();
    const second = store.subscribe(listener);
    first(); // stale: its subscription is gone already
    store.setState((d) => {
      d.n = 1;
    });
    expect(seen).toEqual([1]);
    second();
    second();
    store.setState((d) => {
      d.n = 2;
    });
    expect(seen).toEqual([1]);
    store.release();
  });

  it("two subscriptions of one listener: told once per change until both are gone", () => {
    const store = createStore(App, { n: 0 });
    const seen: number[] = [];
    const listener = (next: { root: { n: number } }) => void seen.push(next.root.n);
    const a = store.subscribe(listener);
    const b = store.subscribe(listener);
    store.setState((d) => {
      d.n = 1;
    });
    a();
    store.setState((d) => {
      d.n = 2;
    });
    b();
    store.setState((d) => {
      d.n = 3;
    });
    expect(seen).toEqual([1, 2]);
    store.release();
  });
});
