/**
 * Random recipes that run on both a state draft and Immer's draft of the same
 * data (`current(root)`: Maps, Sets, typed arrays), for the model tests that
 * check `produce`, patches and stores against Immer: list spreads, `map()`,
 * `filter()`, splices, sorts and reverses (in place and on copies), Map and
 * Set copies, a map given a plain object, duplicates of a record, text edits
 * and typed-array writes (in place, and as whole values assigned), nested
 * records.
 */
import { t } from "@pagefork/state";
import fc from "fast-check";

export const Meta = t.struct({ n: t.u32, tags: t.set(t.string) });
export const Todo = t.struct({ id: t.string, done: t.bool, meta: Meta, sub: t.list(t.string) });
export const App = t.struct({
  todos: t.list(Todo),
  byId: t.map(t.string, Todo),
  tags: t.set(t.string),
  counts: t.map(t.string, t.u32),
  doc: t.text(),
  grid: t.float64Array(8),
});
export type TodoIn = t.Input<typeof Todo>;
export type AppIn = t.Input<typeof App>;

/** Todo `i` as plain data. */
export const todo = (i: number): TodoIn => ({
  id: `t${i}`,
  done: i % 2 === 0,
  meta: { n: i, tags: new Set(i % 3 === 0 ? ["x"] : []) },
  sub: [`s${i}`],
});

/** An app of `n` todos (and as many map entries, tags and counts). */
export const appInput = (n: number): AppIn => ({
  todos: Array.from({ length: n }, (_, i) => todo(i)),
  byId: new Map(Array.from({ length: n }, (_, i) => [`k${i}`, todo(50 + i)] as const)),
  tags: new Set(Array.from({ length: n }, (_, i) => `g${i}`)),
  counts: new Map(Array.from({ length: n }, (_, i) => [`c${i}`, i] as const)),
  doc: "hello",
  grid: new Float64Array(8).fill(1),
});

export type Step =
  | { k: "toggleMap"; i: number }
  | { k: "filter"; i: number }
  | { k: "append"; n: number; spread: boolean }
  | { k: "spliceSpread"; i: number }
  | { k: "spliceIn"; i: number; n: number }
  | { k: "spliceOut"; i: number }
  | { k: "move"; i: number }
  | { k: "sortCopy"; spreadAll: boolean }
  | { k: "sortInPlace" }
  | { k: "reverseCopy" }
  | { k: "reverseInPlace" }
  | { k: "nestedSpread"; i: number; n: number }
  | { k: "childWrite"; i: number; n: number }
  | { k: "subPush"; i: number; s: string }
  | { k: "metaTag"; i: number; s: string }
  | { k: "dupList"; i: number; pair: boolean }
  | { k: "dupToMap"; i: number }
  | { k: "mapSpread"; i: number; done: boolean }
  | { k: "mapDelete"; i: number }
  | { k: "mapSet"; n: number }
  | { k: "mapWrite"; i: number }
  | { k: "mapReverse" }
  | { k: "countsObject"; i: number; n: number; drop: boolean }
  | { k: "tagAdd"; s: string; front: boolean }
  | { k: "tagDelete"; i: number }
  | { k: "insert"; i: number; s: string }
  | { k: "delete"; i: number; n: number }
  | { k: "grid"; i: number; v: number }
  | { k: "assignText"; i: number; n: number; s: string }
  | { k: "assignGrid"; i: number; v: number };

const nat = (max: number) => fc.nat(max);
/** One step of a recipe. */
export const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ k: fc.constant("toggleMap" as const), i: nat(7) }),
  fc.record({ k: fc.constant("filter" as const), i: nat(7) }),
  fc.record({ k: fc.constant("append" as const), n: nat(300), spread: fc.boolean() }),
  fc.record({ k: fc.constant("spliceSpread" as const), i: nat(7) }),
  fc.record({ k: fc.constant("spliceIn" as const), i: nat(7), n: nat(300) }),
  fc.record({ k: fc.constant("spliceOut" as const), i: nat(7) }),
  fc.record({ k: fc.constant("move" as const), i: nat(7) }),
  fc.record({ k: fc.constant("sortCopy" as const), spreadAll: fc.boolean() }),
  fc.record({ k: fc.constant("sortInPlace" as const) }),
  fc.record({ k: fc.constant("reverseCopy" as const) }),
  fc.record({ k: fc.constant("reverseInPlace" as const) }),
  fc.record({ k: fc.constant("nestedSpread" as const), i: nat(7), n: nat(300) }),
  fc.record({ k: fc.constant("childWrite" as const), i: nat(7), n: nat(300) }),
  fc.record({ k: fc.constant("subPush" as const), i: nat(7), s: fc.string({ maxLength: 2 }) }),
  fc.record({ k: fc.constant("metaTag" as const), i: nat(7), s: fc.constantFrom("x", "y") }),
  fc.record({ k: fc.constant("dupList" as const), i: nat(7), pair: fc.boolean() }),
  fc.record({ k: fc.constant("dupToMap" as const), i: nat(7) }),
  fc.record({ k: fc.constant("mapSpread" as const), i: nat(7), done: fc.boolean() }),
  fc.record({ k: fc.constant("mapDelete" as const), i: nat(7) }),
  fc.record({ k: fc.constant("mapSet" as const), n: nat(9) }),
  fc.record({ k: fc.constant("mapWrite" as const), i: nat(7) }),
  fc.record({ k: fc.constant("mapReverse" as const) }),
  fc.record({ k: fc.constant("countsObject" as const), i: nat(7), n: nat(99), drop: fc.boolean() }),
  fc.record({ k: fc.constant("tagAdd" as const), s: fc.constantFrom("g0", "g1", "x", "y"), front: fc.boolean() }),
  fc.record({ k: fc.constant("tagDelete" as const), i: nat(7) }),
  fc.record({ k: fc.constant("insert" as const), i: nat(20), s: fc.string({ maxLength: 3 }) }),
  fc.record({ k: fc.constant("delete" as const), i: nat(20), n: nat(3) }),
  fc.record({ k: fc.constant("grid" as const), i: nat(7), v: fc.integer({ min: -9, max: 9 }) }),
  fc.record({ k: fc.constant("assignText" as const), i: nat(20), n: nat(3), s: fc.string({ maxLength: 3 }) }),
  fc.record({ k: fc.constant("assignGrid" as const), i: nat(7), v: fc.integer({ min: -9, max: 9 }) }),
);

/** What differs between the two sides: the text, the typed array and a map given a plain object. */
export interface Side {
  insert(d: Draft, i: number, s: string): void;
  delete(d: Draft, i: number, n: number): void;
  grid(d: Draft, i: number, v: number): void;
  counts(d: Draft, o: Record<string, number>): void;
  /** The text's length. */
  length(d: Draft): number;
}
// biome-ignore lint/suspicious/noExplicitAny: our draft or Immer's, one recipe for both
export type Draft = any;

/** A state draft: text edits, typed-array writes, a plain object over a map. */
export const ours: Side = {
  insert: (d, i, s) => d.doc.insert(i, s),
  delete: (d, i, n) => d.doc.delete(i, n),
  grid: (d, i, v) => {
    d.grid[i] = v;
  },
  counts: (d, o) => {
    d.counts = o;
  },
  length: (d) => d.doc.length,
};

/** Immer's draft: a string, a typed array replaced by a copy (Immer does not draft one), a Map. */
export const immers: Side = {
  insert: (d, i, s) => {
    d.doc = d.doc.slice(0, i) + s + d.doc.slice(i);
  },
  delete: (d, i, n) => {
    d.doc = d.doc.slice(0, i) + d.doc.slice(i + n);
  },
  grid: (d, i, v) => {
    const g = d.grid.slice();
    g[i] = v;
    d.grid = g;
  },
  counts: (d, o) => {
    d.counts = new Map(Object.entries(o));
  },
  length: (d) => d.doc.length,
};

/**
 * The recipe of `steps` for one side. Once a record stands in two places
 * (`aliased`), Immer's draft holds one object in both and its writes change
 * both (ours: one; see review33-duplicates), and several new objects holding
 * one child draft leave revoked proxies in Immer's result: from then on only
 * steps that write no record and spread none run, on both sides alike
 * (`flags.aliased` tells the caller).
 */
export function recipe(steps: readonly Step[], side: Side, flags = { aliased: false }): (d: Draft) => void {
  return (d) => {
    let aliased = false;
    const at = (i: number): Draft => d.todos[i % d.todos.length];
    for (const st of steps) {
      const n = d.todos.length;
      const keys = [...d.byId.keys()] as string[];
      const key = (i: number) => keys[i % keys.length] as string;
      switch (st.k) {
        case "toggleMap": {
          if (n === 0 || aliased) break;
          const id = at(st.i).id;
          d.todos = d.todos.map((x: Draft) => (x.id === id ? { ...x, done: !x.done } : x));
          break;
        }
        case "filter":
          if (n > 0) d.todos = d.todos.filter((_: Draft, k: number) => k !== st.i % n);
          break;
        case "append":
          if (n >= 8) break;
          if (st.spread) d.todos = [...d.todos, todo(st.n)];
          else d.todos = d.todos.concat([todo(st.n)]);
          break;
        case "spliceSpread":
          if (n > 0 && !aliased) d.todos.splice(st.i % n, 1, { ...at(st.i), done: !at(st.i).done });
          break;
        case "spliceIn":
          if (n < 8) d.todos.splice(st.i % (n + 1), 0, todo(st.n));
          break;
        case "spliceOut":
          if (n > 0) d.todos.splice(st.i % n, 1);
          break;
        case "move":
          if (n > 0 && !aliased) {
            const [x] = d.todos.splice(st.i % n, 1);
            d.todos.push(x);
          }
          break;
        case "sortCopy": {
          if (aliased) break;
          const sorted = d.todos.slice().sort((x: Draft, y: Draft) => y.meta.n - x.meta.n);
          d.todos = st.spreadAll ? sorted.map((x: Draft) => ({ ...x, done: true })) : sorted;
          break;
        }
        case "sortInPlace":
          if (!aliased) d.todos.sort((x: Draft, y: Draft) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
          break;
        case "reverseCopy":
          if (!aliased) d.todos = [...d.todos].reverse();
          break;
        case "reverseInPlace":
          if (!aliased) d.todos.reverse();
          break;
        case "nestedSpread": {
          if (n === 0 || aliased) break;
          const j = st.i % n;
          d.todos = d.todos.map((x: Draft, k: number) =>
            k === j ? { ...x, meta: { ...x.meta, n: st.n }, sub: x.sub.map((v: string) => `${v}!`) } : x,
          );
          break;
        }
        case "childWrite":
          if (n > 0 && !aliased) at(st.i).meta.n = st.n;
          break;
        case "subPush":
          if (n > 0 && !aliased) at(st.i).sub.push(st.s);
          break;
        case "metaTag":
          if (n > 0 && !aliased) at(st.i).meta.tags.add(st.s);
          break;
        case "dupList":
          if (n > 0 && n < 8 && !aliased) {
            d.todos = st.pair ? [at(st.i), at(st.i)] : [...d.todos, at(st.i)];
            aliased = true;
            flags.aliased = true;
          }
          break;
        case "dupToMap":
          if (n > 0 && !aliased) {
            d.byId.set(`d${st.i}`, at(st.i));
            aliased = true;
            flags.aliased = true;
          }
          break;
        case "mapSpread":
          if (keys.length > 0 && !aliased)
            d.byId = new Map(d.byId).set(key(st.i), { ...d.byId.get(key(st.i)), done: st.done });
          break;
        case "mapDelete":
          if (keys.length > 0) {
            const m = new Map(d.byId);
            m.delete(key(st.i));
            d.byId = m;
          }
          break;
        case "mapSet":
          if (!aliased) d.byId.set(`n${st.n}`, todo(100 + st.n));
          break;
        case "mapWrite":
          if (keys.length > 0 && !aliased) d.byId.get(key(st.i)).done = !d.byId.get(key(st.i)).done;
          break;
        case "mapReverse":
          if (!aliased) d.byId = new Map([...d.byId].reverse());
          break;
        case "countsObject": {
          const o: Record<string, number> = {};
          const ks = [...d.counts.keys()] as string[];
          for (const [k, v] of d.counts) if (!(st.drop && k === ks[st.i % ks.length])) o[k] = v;
          o[`c${st.i}`] = st.n;
          side.counts(d, o);
          break;
        }
        case "tagAdd":
          d.tags = st.front ? new Set([st.s, ...d.tags]) : new Set(d.tags).add(st.s);
          break;
        case "tagDelete": {
          const tags = [...d.tags];
          if (tags.length > 0) d.tags = new Set(tags.filter((_, j) => j !== st.i % tags.length));
          break;
        }
        case "insert":
          side.insert(d, st.i % (side.length(d) + 1), st.s);
          break;
        case "delete": {
          const len = side.length(d);
          if (len > 0) side.delete(d, st.i % len, Math.min(st.n, len - (st.i % len)));
          break;
        }
        case "grid":
          side.grid(d, st.i, st.v);
          break;
        case "assignText": {
          // the whole string assigned, as a controlled <textarea>'s value: the same code on both sides
          const v = d.doc.toString();
          const i = st.i % (v.length + 1);
          d.doc = v.slice(0, i) + st.s + v.slice(i + st.n);
          break;
        }
        case "assignGrid": {
          // Immer's idiom for a typed array: a copy with a cell changed, the same code on both sides
          const g = Float64Array.from(d.grid);
          g[st.i] = st.v;
          d.grid = g;
          break;
        }
      }
    }
  };
}

/** Plain data compared in order: Maps and Sets as their entries in iteration order, typed arrays as arrays. */
export function ordered(x: unknown): unknown {
  if (x instanceof Map) return { map: [...x].map(([k, v]) => [k, ordered(v)]) };
  if (x instanceof Set) return { set: [...x] };
  if (ArrayBuffer.isView(x)) return Array.from(x as Float64Array);
  if (Array.isArray(x)) return x.map(ordered);
  if (x !== null && typeof x === "object")
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, ordered(v)]));
  return x;
}

/**
 * Which base object each result row shows, by identity: the record, its
 * `meta`, its `sub` and `meta.tags` (`new` for none), for views and Immer's
 * plain objects alike.
 */
export function labels(base: readonly Draft[], result: readonly Draft[]): string[][] {
  const names = new Map<unknown, string>();
  base.forEach((x, k) => {
    names.set(x, `todo${k}`);
    names.set(x.meta, `meta${k}`);
    names.set(x.sub, `sub${k}`);
    names.set(x.meta.tags, `tags${k}`);
  });
  const name = (x: unknown) => names.get(x) ?? "new";
  return result.map((x) => [name(x), name(x.meta), name(x.sub), name(x.meta.tags)]);
}
