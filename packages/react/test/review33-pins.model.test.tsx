// @vitest-environment happy-dom
/// <reference lib="dom" />
/**
 * Review 33: useStore against a model of versions (React 18 and 19, see
 * test/react18), with selections holding views in Maps (as values and as
 * keys), Sets, objects holding Sets and class instances, kept equal by an
 * isEqual that compares the views in them. Components mount and unmount, some
 * under StrictMode (whose double effects subscribe, unsubscribe and subscribe
 * again), while the store commits, undoes, redoes and jumps with
 * `maxVersions` dropping versions. After every command: each component shows
 * the model's current version; the store has exactly one active
 * subscription per mounted component; every view a mounted component took
 * out of an earlier selection (as an event handler's closure holds it) still
 * reads what it showed. After unmounting everything the pool holds what a
 * twin store without hooks holds, and nothing once both are released.
 */
import { FramePool } from "@pagefork/core";
import { useStore } from "@pagefork/react";
import { createStore, type Store } from "@pagefork/state";
import { act, cleanup, render } from "@testing-library/react";
import fc from "fast-check";
import { StrictMode, version } from "react";
import { afterEach, expect, it } from "vitest";
import { collectUntil } from "../../../test/support/collect.js";
import { runs } from "../../../test/support/runs.js";
import { countSubscriptions, microtasks, sameViews } from "./support/hooks.js";
import { App, type Root, type Settings } from "./support/settings-app.js";

afterEach(cleanup);

type A = typeof App;
interface Data {
  settings: { theme: string };
  list: number[];
  n: number;
}

class Box {
  readonly inner: { settings: Settings; list: readonly number[] };
  constructor(settings: Settings, list: readonly number[]) {
    this.inner = { settings, list };
  }
}

/** Each selection shape: how it is made from the root, and how its views are taken out of it. */
const SHAPES = {
  mapValues: {
    make: (r: Root) =>
      new Map<string, unknown>([
        ["s", r.settings],
        ["l", r.list],
      ]),
    take: (x: unknown) => {
      const m = x as Map<string, unknown>;
      return { settings: m.get("s") as Settings, list: m.get("l") as readonly number[] };
    },
  },
  mapKeys: {
    make: (r: Root) =>
      new Map<unknown, number>([
        [r.settings, 0],
        [r.list, 1],
      ]),
    take: (x: unknown) => {
      const [s, l] = [...(x as Map<unknown, number>).keys()];
      return { settings: s as Settings, list: l as readonly number[] };
    },
  },
  set: {
    make: (r: Root) => new Set<unknown>([r.settings, r.list]),
    take: (x: unknown) => {
      const [s, l] = [...(x as Set<unknown>)];
      return { settings: s as Settings, list: l as readonly number[] };
    },
  },
  objectOfSet: {
    make: (r: Root) => ({ views: new Set<unknown>([r.settings]), list: [r.list] }),
    take: (x: unknown) => {
      const o = x as { views: Set<unknown>; list: (readonly number[])[] };
      return { settings: [...o.views][0] as Settings, list: o.list[0] as readonly number[] };
    },
  },
  box: {
    make: (r: Root) => new Box(r.settings, r.list),
    take: (x: unknown) => ({ settings: (x as Box).inner.settings, list: (x as Box).inner.list }),
  },
};
type Shape = keyof typeof SHAPES;
const SHAPE_NAMES = Object.keys(SHAPES) as Shape[];

const shown = (theme: string, list: readonly number[]) => `${theme}:${list.length}:${list.reduce((s, v) => s + v, 0)}`;

/** What a mounted component took out of its selections: the first and the latest, with what they showed. */
interface Held {
  first: { settings: Settings; list: readonly number[]; text: string } | null;
}

function View({ store, shape, held }: { store: Store<A>; shape: Shape; held: Held }) {
  const { make, take } = SHAPES[shape];
  const sel = useStore(store, make, sameViews);
  const { settings, list } = take(sel);
  const text = shown(settings.theme, list);
  held.first ??= { settings, list, text }; // as an event handler's closure keeps it
  return <p>{text}</p>;
}

interface Model {
  versions: Data[];
  cursor: number;
}
interface Slot {
  shape: Shape;
  root: HTMLElement;
  held: Held;
  unmount: () => void;
}
interface Real {
  store: Store<A>;
  twin: Store<A>;
  mounted: (Slot | null)[];
  active: () => number;
  maxVersions: number;
}

const clone = (d: Data): Data => ({ settings: { theme: d.settings.theme }, list: [...d.list], n: d.n });

function check(m: Model, r: Real): void {
  const cur = m.versions[m.cursor] as Data;
  expect(r.store.getState().toJSON()).toEqual(cur);
  const live = r.mounted.filter((s): s is Slot => s !== null);
  for (const slot of live) {
    expect(slot.root.textContent).toBe(shown(cur.settings.theme, cur.list));
    const first = slot.held.first as NonNullable<Held["first"]>;
    expect(shown(first.settings.theme, first.list)).toBe(first.text); // readable, unchanged
  }
  expect(r.active()).toBe(live.length);
}

type Change = { kind: "theme"; v: string } | { kind: "push"; v: number } | { kind: "n"; v: number };

class Commit implements fc.AsyncCommand<Model, Real> {
  constructor(readonly change: Change) {}
  check() {
    return true;
  }
  async run(m: Model, r: Real) {
    const c = this.change;
    const recipe = (d: Data) => {
      if (c.kind === "theme") d.settings.theme = c.v;
      else if (c.kind === "push") d.list.push(c.v);
      else d.n = c.v;
    };
    const cur = m.versions[m.cursor] as Data;
    const next = clone(cur);
    recipe(next);
    act(() => void r.store.setState(recipe as never));
    r.twin.setState(recipe as never);
    if (JSON.stringify(next) !== JSON.stringify(cur)) {
      m.versions.length = m.cursor + 1;
      m.versions.push(next);
      while (m.versions.length > r.maxVersions) m.versions.shift();
      m.cursor = m.versions.length - 1;
    }
    check(m, r);
  }
  toString() {
    return `commit(${JSON.stringify(this.change)})`;
  }
}

class Move implements fc.AsyncCommand<Model, Real> {
  constructor(readonly to: "undo" | "redo" | number) {}
  check() {
    return true;
  }
  async run(m: Model, r: Real) {
    let target = m.cursor;
    if (this.to === "undo") target = Math.max(0, m.cursor - 1);
    else if (this.to === "redo") target = Math.min(m.versions.length - 1, m.cursor + 1);
    else target = this.to % m.versions.length;
    const go = (s: Store<A>) => (this.to === "undo" ? s.undo() : this.to === "redo" ? s.redo() : s.goTo(target));
    act(() => void go(r.store));
    go(r.twin);
    m.cursor = target;
    check(m, r);
  }
  toString() {
    return `move(${this.to})`;
  }
}

class Mount implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly slot: number,
    readonly shape: Shape,
    readonly strict: boolean,
  ) {}
  check() {
    return true;
  }
  async run(m: Model, r: Real) {
    r.mounted[this.slot]?.unmount();
    const held: Held = { first: null };
    const el = <View store={r.store} shape={this.shape} held={held} />;
    const { container, unmount } = render(this.strict ? <StrictMode>{el}</StrictMode> : el);
    r.mounted[this.slot] = { shape: this.shape, root: container, held, unmount };
    await microtasks();
    check(m, r);
  }
  toString() {
    return `mount(${this.slot}, ${this.shape}${this.strict ? ", strict" : ""})`;
  }
}

class Unmount implements fc.AsyncCommand<Model, Real> {
  constructor(readonly slot: number) {}
  check() {
    return true;
  }
  async run(m: Model, r: Real) {
    r.mounted[this.slot]?.unmount();
    r.mounted[this.slot] = null;
    await microtasks();
    check(m, r);
  }
  toString() {
    return `unmount(${this.slot})`;
  }
}

/** Collects garbage: a selection replaced and collected must not take its views' version with it. */
class Collect implements fc.AsyncCommand<Model, Real> {
  check() {
    return true;
  }
  async run(m: Model, r: Real) {
    await collectUntil(() => false, 2);
    check(m, r);
  }
  toString() {
    return "collect";
  }
}

const commands = [
  fc
    .oneof(
      fc.record({ kind: fc.constant("theme" as const), v: fc.constantFrom("p", "q", "r") }),
      fc.record({ kind: fc.constant("push" as const), v: fc.integer({ min: 0, max: 9 }) }),
      fc.record({ kind: fc.constant("n" as const), v: fc.integer({ min: 0, max: 3 }) }),
    )
    .map((c) => new Commit(c as Change)),
  fc.constantFrom("undo" as const, "redo" as const).map((to) => new Move(to)),
  fc.nat(6).map((to) => new Move(to)),
  fc.tuple(fc.nat(2), fc.constantFrom(...SHAPE_NAMES), fc.boolean()).map(([s, k, strict]) => new Mount(s, k, strict)),
  fc.nat(2).map((s) => new Unmount(s)),
  fc.constant(new Collect()),
];

it(`useStore with views in Maps, Sets and class instances vs a model; StrictMode subscriptions; no pin left (React ${version})`, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.commands(commands, { maxCommands: 25 }),
      fc.constantFrom(1, 2, Number.POSITIVE_INFINITY),
      async (cmds, maxVersions) => {
        const initial: Data = { settings: { theme: "o" }, list: Array.from({ length: 40 }, (_, i) => i), n: 0 };
        const make = () => {
          const pool = new FramePool({ pageSize: 256 });
          return { pool, store: createStore(App, clone(initial), { pool, maxVersions }) };
        };
        const a = make();
        const b = make();
        const real: Real = {
          store: a.store,
          twin: b.store,
          mounted: [null, null, null],
          active: countSubscriptions(a.store),
          maxVersions,
        };
        const model: Model = { versions: [clone(initial)], cursor: 0 };
        try {
          await fc.asyncModelRun(() => ({ model, real }), cmds);
          cleanup();
          real.mounted = [null, null, null];
          await microtasks();
          expect(real.active()).toBe(0);
          expect(a.pool.framesInUse).toBe(b.pool.framesInUse); // no pin left
        } finally {
          cleanup();
          a.store.release();
          b.store.release();
          await microtasks();
        }
        expect(a.pool.framesInUse).toBe(0);
        expect(b.pool.framesInUse).toBe(0);
      },
    ),
    { numRuns: runs(40) },
  );
});
