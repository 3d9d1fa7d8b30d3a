// @vitest-environment happy-dom
/// <reference lib="dom" />
/**
 * Review 28: useStore and useHistory against a model of versions
 * (fast-check commands): components mount and unmount (some under
 * StrictMode) with selectors of a struct, a list, a scalar and a derived
 * object (new each call, shallow isEqual), while the store commits, undoes,
 * redoes and jumps with `maxVersions` or `coalesceMs` dropping versions.
 * After every command each mounted component shows the model's current
 * version and the history controls the model's position and size; after
 * unmounting everything the pool holds exactly what a twin store without
 * hooks holds (no pin left), and nothing once both are released.
 */
import { FramePool } from "@pagefork/core";
import { useHistory, useStore } from "@pagefork/react";
import { createStore, type Store, t } from "@pagefork/state";
import { act, cleanup, render } from "@testing-library/react";
import fc from "fast-check";
import { StrictMode, version } from "react";
import { afterEach, expect, it } from "vitest";

afterEach(cleanup);
const microtasks = () => new Promise((r) => setTimeout(r, 0));

const App = t.struct({ a: t.struct({ x: t.string }), list: t.list(t.f64), n: t.u32 });
type A = typeof App;
interface Data {
  a: { x: string };
  list: number[];
  n: number;
}
const KINDS = ["a", "list", "n", "derived", "history"] as const;
type Kind = (typeof KINDS)[number];

function text(kind: Kind, d: Data, pos: number, size: number): string {
  if (kind === "a") return `a:${d.a.x}`;
  if (kind === "list") return `list:${d.list.length}:${d.list.reduce((s, v) => s + v, 0)}`;
  if (kind === "n") return `n:${d.n}`;
  if (kind === "derived") return `derived:${d.a.x}/${d.n}`;
  return `history:${pos}/${size}:${pos > 0}:${pos < size - 1}`;
}

const shallow = (p: { x: string; n: number }, q: { x: string; n: number }) => p.x === q.x && p.n === q.n;

function View({ store, kind }: { store: Store<A>; kind: Kind }) {
  const a = useStore(store, (r) => (kind === "a" ? r.a : null));
  const list = useStore(store, (r) => (kind === "list" ? r.list : null));
  const n = useStore(store, (r) => (kind === "n" ? r.n : 0));
  const derived = useStore(store, (r) => ({ x: r.a.x, n: r.n }), shallow);
  const h = useHistory(store);
  let out: string;
  if (kind === "a") out = `a:${a?.x}`;
  else if (kind === "list") out = `list:${list?.length}:${list?.reduce((s: number, v: number) => s + v, 0)}`;
  else if (kind === "n") out = `n:${n}`;
  else if (kind === "derived") out = `derived:${derived.x}/${derived.n}`;
  else out = `history:${h.position}/${h.size}:${h.canUndo}:${h.canRedo}`;
  return <p>{out}</p>;
}

interface Model {
  versions: Data[];
  cursor: number;
  grouped: boolean;
  lastTime: number;
}
interface Real {
  store: Store<A>;
  twin: Store<A>;
  pool: FramePool;
  twinPool: FramePool;
  mounted: (null | { kind: Kind; strict: boolean; root: HTMLElement; unmount: () => void })[];
  clock: { t: number };
  maxVersions: number;
  coalesceMs: number;
}

const clone = (d: Data): Data => ({ a: { x: d.a.x }, list: [...d.list], n: d.n });

function check(m: Model, r: Real): void {
  const cur = m.versions[m.cursor] as Data;
  expect(r.store.getState().toJSON()).toEqual(cur);
  expect([r.store.position, r.store.stats().versions]).toEqual([m.cursor, m.versions.length]);
  for (const slot of r.mounted)
    if (slot !== null) expect(slot.root.textContent).toBe(text(slot.kind, cur, m.cursor, m.versions.length));
}

type Change =
  | { kind: "x"; v: string }
  | { kind: "push"; v: number }
  | { kind: "n"; v: number }
  | { kind: "fill"; v: number };

class Commit implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly change: Change,
    readonly dt: number,
  ) {}
  check() {
    return true;
  }
  async run(m: Model, r: Real) {
    const c = this.change;
    const recipe = (d: Data) => {
      if (c.kind === "x") d.a.x = c.v;
      else if (c.kind === "push") d.list.push(c.v);
      else if (c.kind === "n") d.n = c.v;
      else for (let i = 0; i < d.list.length; i++) d.list[i] = c.v;
    };
    r.clock.t += this.dt;
    const cur = m.versions[m.cursor] as Data;
    const next = clone(cur);
    recipe(next);
    act(() => {
      r.store.setState(recipe as never);
    });
    r.twin.setState(recipe as never);
    if (JSON.stringify(next) !== JSON.stringify(cur)) {
      m.versions.length = m.cursor + 1;
      const now = r.clock.t;
      if (!m.grouped && r.coalesceMs > 0 && m.versions.length > 1 && now - m.lastTime < r.coalesceMs)
        m.versions[m.versions.length - 1] = next;
      else m.versions.push(next);
      m.lastTime = now;
      m.grouped = false;
      while (m.versions.length > r.maxVersions) m.versions.shift();
      m.cursor = m.versions.length - 1;
    }
    check(m, r);
  }
  toString() {
    return `commit(${JSON.stringify(this.change)}, +${this.dt})`;
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
    if (target !== m.cursor) m.grouped = true;
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
    readonly kind: Kind,
    readonly strict: boolean,
  ) {}
  check() {
    return true;
  }
  async run(m: Model, r: Real) {
    r.mounted[this.slot]?.unmount();
    const el = <View store={r.store} kind={this.kind} />;
    const { container, unmount } = render(this.strict ? <StrictMode>{el}</StrictMode> : el);
    r.mounted[this.slot] = { kind: this.kind, strict: this.strict, root: container, unmount };
    if (this.strict) await microtasks();
    check(m, r);
  }
  toString() {
    return `mount(${this.slot}, ${this.kind}${this.strict ? ", strict" : ""})`;
  }
}

class Unmount implements fc.AsyncCommand<Model, Real> {
  constructor(readonly slot: number) {}
  check(_m: Readonly<Model>) {
    return true;
  }
  async run(m: Model, r: Real) {
    r.mounted[this.slot]?.unmount();
    r.mounted[this.slot] = null;
    check(m, r);
  }
  toString() {
    return `unmount(${this.slot})`;
  }
}

const commands = [
  fc
    .tuple(
      fc.oneof(
        fc.record({ kind: fc.constant("x" as const), v: fc.constantFrom("p", "q", "r") }),
        fc.record({ kind: fc.constant("push" as const), v: fc.integer({ min: 0, max: 9 }) }),
        fc.record({ kind: fc.constant("n" as const), v: fc.integer({ min: 0, max: 3 }) }),
        fc.record({ kind: fc.constant("fill" as const), v: fc.integer({ min: 0, max: 3 }) }),
      ),
      fc.integer({ min: 0, max: 3 }),
    )
    .map(([c, dt]) => new Commit(c as Change, dt)),
  fc.constantFrom("undo" as const, "redo" as const).map((to) => new Move(to)),
  fc.nat(6).map((to) => new Move(to)),
  fc.tuple(fc.nat(2), fc.constantFrom(...KINDS), fc.boolean()).map(([s, k, strict]) => new Mount(s, k, strict)),
  fc.nat(2).map((s) => new Unmount(s)),
];

it(`useStore/useHistory vs a model of versions; no pin left after unmount (React ${version})`, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.commands(commands, { maxCommands: 30 }),
      fc.constantFrom(1, 2, 4, Number.POSITIVE_INFINITY),
      fc.constantFrom(0, 3),
      async (cmds, maxVersions, coalesceMs) => {
        const clock = { t: 0 };
        const initial: Data = { a: { x: "o" }, list: Array.from({ length: 40 }, (_, i) => i), n: 0 };
        const make = () => {
          const pool = new FramePool({ pageSize: 256 });
          const store = createStore(App, clone(initial), { pool, maxVersions, coalesceMs, now: () => clock.t });
          return { pool, store };
        };
        const a = make();
        const b = make();
        const real: Real = {
          store: a.store,
          twin: b.store,
          pool: a.pool,
          twinPool: b.pool,
          mounted: [null, null, null],
          clock,
          maxVersions,
          coalesceMs,
        };
        const model: Model = { versions: [clone(initial)], cursor: 0, grouped: true, lastTime: 0 };
        try {
          await fc.asyncModelRun(() => ({ model, real }), cmds);
          cleanup();
          real.mounted = [null, null, null];
          await microtasks();
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
    { numRuns: 60 },
  );
});
