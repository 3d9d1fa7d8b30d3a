/**
 * A standalone vector's growth maps more of its space (vector-storage.ts
 * `mapFor`): under overcommit "never" the mapping's commit charge may be
 * refused and run the pool's out-of-memory hook, after the call planned its
 * writes (frames, ranges, the length it read). The hook is user code: it may
 * fork the vector, freeze or write-protect or unmap its space, write, push to
 * or pop from the vector, or release it. Each call must then complete as on
 * the vector the hook left, or throw a typed error having changed nothing
 * (elements, length, capacity, frames, nodes, commit charge); releasing
 * everything leaves the pool empty.
 */
import { CowVector } from "@pagefork/array";
import {
  AddressSpace,
  FramePool,
  OutOfMemoryError,
  ProtectionFault,
  ReleasedError,
  SegmentationFault,
} from "@pagefork/core";
import { describe, expect, it } from "vitest";
import { poolLeak, poolUse } from "../../../test/support/oom-hook.js";

const PS = 256;
type Act =
  | "none"
  | "fork"
  | "freeze"
  | "protect"
  | "protect page 0"
  | "unmap page 0"
  | "write"
  | "push"
  | "pop"
  | "release";
const ACTS: readonly Act[] = [
  "none",
  "fork",
  "freeze",
  "protect",
  "protect page 0",
  "unmap page 0",
  "write",
  "push",
  "pop",
  "release",
];

const init = Array.from({ length: 64 }, (_, i) => i + 1); // 2 pages of 32 elements
const src = new Float64Array(200).fill(7);

/** [name, the call, what it does to a plain array] */
const calls: [string, (v: CowVector) => unknown, (a: number[]) => void][] = [
  ["extend", (v) => v.extend(src), (a) => a.push(...src)],
  ["push 1", (v) => v.push(9), (a) => a.push(9)],
  ["push 3", (v) => v.push(1, 2, 3), (a) => a.push(1, 2, 3)],
  ["insertFrom", (v) => v.insertFrom(0, src), (a) => a.unshift(...src)],
  ["insert", (v) => v.insert(5, 1, 2, 3), (a) => a.splice(5, 0, 1, 2, 3)],
  ["splice grow", (v) => v.splice(1, 1, ...src), (a) => a.splice(1, 1, ...src)],
  [
    "resize",
    (v) => v.resize(400),
    (a) => {
      while (a.length < 400) a.push(0);
    },
  ],
  ["reserve", (v) => v.reserve(400), () => undefined],
];

/**
 * A pool of 128 frames under overcommit "never"; the vector (capacity 64,
 * maxLength 1024), a fork of it kept aside, a victim of 20 frames, and a
 * space that takes the commit limit's `room` bytes left. The hook releases the
 * victim and acts. Returns what went wrong, or null.
 */
function run(call: (v: CowVector) => unknown, model: (a: number[]) => void, act: Act, left: number): string | null {
  let armed = false;
  let ran = false;
  const box: { v: CowVector | null; victim: AddressSpace | null; child: CowVector | null } = {
    v: null,
    victim: null,
    child: null,
  };
  let atCall = { use: poolUse(new FramePool({ pageSize: PS })), a: [] as number[], capacity: 0 };
  const pool = new FramePool({
    pageSize: PS,
    maxBytes: 128 * PS,
    overcommit: "never",
    onOutOfMemory: () => {
      if (!armed) return;
      armed = false;
      ran = true;
      box.victim?.release();
      const v = box.v as CowVector;
      const pre = [...v];
      try {
        if (act === "fork") box.child = v.fork();
        else if (act === "freeze") v.space.freeze();
        else if (act === "protect") v.space.protect(0, v.capacity * 8, "read-only");
        else if (act === "protect page 0") v.space.protect(0, PS, "read-only");
        else if (act === "unmap page 0") v.space.unmap(0, PS);
        else if (act === "write") v.set(0, -5);
        else if (act === "push") v.push(-9);
        else if (act === "pop") v.pop();
        else if (act === "release") v.release();
      } finally {
        // The hook's hole (unmap page 0) reads as zeros once mapped again.
        const a = act === "unmap page 0" ? pre.map((x, i) => (i < PS / 8 ? 0 : x)) : v.released ? [] : [...v];
        if (!v.released) atCall = { use: poolUse(pool), a, capacity: v.capacity };
      }
    },
  });
  const v = CowVector.from(Float64Array, init, { pool, maxLength: 1024 });
  box.v = v;
  const keep = v.fork();
  const victim = new AddressSpace({ size: 40 * PS, pool });
  for (let i = 0; i < 20; i++) victim.setUint8(i * PS, 1);
  box.victim = victim;
  const room = 128 * PS - pool.stats().committedBytes - left * PS;
  const fill = new AddressSpace({ size: Math.max(room, PS), pool });
  atCall = { use: poolUse(pool), a: [...v], capacity: v.capacity };
  armed = true;
  let caught: unknown = null;
  try {
    call(v);
  } catch (e) {
    caught = e;
  }
  armed = false;
  const problems: string[] = [];
  const after = poolUse(pool);
  if (act === "unmap page 0" && ran && !v.released && v.space.mappings()[0]?.start !== 0) v.space.map(0, PS);
  if ((act === "protect" || act === "protect page 0") && ran && !v.released)
    for (const m of v.space.mappings()) v.space.protect(m.start, m.end - m.start, "read-write");
  if (!v.released) {
    const got = [...v];
    if (caught === null) {
      const expected = [...atCall.a];
      model(expected);
      if (JSON.stringify(got) !== JSON.stringify(expected))
        problems.push(`completed: length ${got.length}, expected ${expected.length}: ${firstDiff(got, expected)}`);
      if (ran && act === "freeze") problems.push(`completed although the hook ran ${act}`);
    } else {
      if (![OutOfMemoryError, ProtectionFault, SegmentationFault].some((c) => caught instanceof c))
        problems.push(`threw ${String(caught)}`);
      if (JSON.stringify(got) !== JSON.stringify(atCall.a))
        problems.push(`threw ${String(caught)}: elements changed: ${firstDiff(got, atCall.a)}`);
      if (v.capacity !== atCall.capacity)
        problems.push(`threw ${String(caught)}: capacity ${v.capacity}, expected ${atCall.capacity}`);
      if (JSON.stringify(after) !== JSON.stringify(atCall.use))
        problems.push(`threw ${String(caught)}: pool ${JSON.stringify(after)}, expected ${JSON.stringify(atCall.use)}`);
    }
  } else if (caught !== null && !(caught instanceof ReleasedError)) problems.push(`threw ${String(caught)}`);
  if (JSON.stringify([...keep]) !== JSON.stringify(init)) problems.push("the kept fork changed");
  for (const x of [v, keep, box.child]) x?.release();
  fill.release();
  victim.release();
  const leak = poolLeak(pool);
  if (leak !== null) problems.push(leak);
  return problems.length === 0 ? null : problems.join("; ");
}

function firstDiff(a: readonly number[], b: readonly number[]): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return `[${i}] = ${a[i]}, expected ${b[i]}`;
  return "same";
}

describe("a standalone vector's growth whose commit charge runs an out-of-memory hook that acts on the vector", () => {
  for (const [name, call, model] of calls)
    for (const act of ACTS)
      it(`${act}: ${name} completes as on the vector the hook left, or throws having changed nothing`, () => {
        const bad: string[] = [];
        for (let left = 0; left <= 4; left++) {
          let p: string | null;
          try {
            p = run(call, model, act, left);
          } catch (e) {
            p = `the check threw ${String(e)}`;
          }
          if (p !== null) bad.push(`left ${left}: ${p}`);
        }
        expect(bad.slice(0, 3)).toEqual([]);
      });
});
