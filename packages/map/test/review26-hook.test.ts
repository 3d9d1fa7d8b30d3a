/**
 * A CowMap write near the pool's limit reserves the frames of its writes
 * (`space.reserveFrames`), which may run the pool's out-of-memory hook. A
 * hook that forks the map's space there shares every page the write had to
 * itself; one that freezes, unmaps or write-protects the space stops the
 * write's later steps. Each write must complete (a fork keeping the old
 * entries) or throw having changed nothing, and leak nothing; standalone and
 * embedded in a heap.
 */
import { AddressSpace, type FramePool, Heap } from "@pagefork/core";
import { CowMap } from "@pagefork/map";
import { describe, expect, it } from "vitest";
import { type HookAct, runHookCase, sweep, type Version } from "../../../test/support/oom-hook.js";

const PS = 256;
type Act = "fork" | "freeze" | "protect" | "protect one page" | "unmap one page";
const ACTS: readonly Act[] = ["fork", "freeze", "protect", "protect one page", "unmap one page"];

type M = CowMap<string, string>;
type Entries = [string, string][];

/** The harness's act for this file's act name, on page `page`. */
function hookAct(act: Act, page: number): HookAct {
  if (act === "protect one page") return { kind: "protect page", page };
  if (act === "unmap one page") return { kind: "unmap page", page };
  return { kind: act };
}

/** A version of `m`: standalone, its fork; embedded, a fork of its space with the map attached there. */
function forkOf(m: M, embedded: boolean): Version<Entries> {
  if (!embedded) {
    const c = m.fork();
    return { read: () => [...c.entries()], release: () => c.release() };
  }
  const s = m.space.fork();
  const c = CowMap.attach<string, string>(Heap.attach(s, PS), m.address);
  return { read: () => [...c.entries()], release: () => s.release() };
}

/**
 * One run (test/support/oom-hook.ts) over a map of `size` entries in a pool
 * of 96 frames, standalone or embedded in a heap at page 1 of a 256-page
 * space; after an unmapped page the entries are not read back.
 */
function run(
  embedded: boolean,
  size: number,
  call: (m: M) => unknown,
  model: (m: Map<string, string>) => unknown,
  act: Act,
  left: number,
  victim: number,
  shared: boolean,
  page: number,
): string | null {
  const init = new Map<string, string>();
  for (let i = 0; i < size; i++) init.set(`key${i}`, `value ${i} `.repeat(1 + (i % 3)));
  return runHookCase<M, Entries>({
    pageSize: PS,
    maxFrames: 96,
    fillPages: 128,
    make: (pool: FramePool) =>
      embedded
        ? CowMap.create<string, string>(Heap.create(new AddressSpace({ size: 256 * PS, pool }), { base: PS }), init)
        : new CowMap<string, string>(init, { pool }),
    space: (m) => m.space,
    read: (m) => [...m.entries()],
    fork: (m) => forkOf(m, embedded),
    release: (m) => (embedded ? m.space.release() : m.release()),
    keep: shared,
    call,
    model: (before) => {
      const m = new Map(before);
      model(m);
      return [...m.entries()];
    },
    act: hookAct(act, page),
    left,
    victim,
    errors: [RangeError],
  });
}

const long = "x".repeat(300);
const calls: [string, (m: M) => unknown, (m: Map<string, string>) => unknown][] = [
  ["set a new key", (m) => m.set("new", "v"), (m) => m.set("new", "v")],
  ["set a new key, long value", (m) => m.set("new", long), (m) => m.set("new", long)],
  ["set an existing key", (m) => m.set("key3", long), (m) => m.set("key3", long)],
  ["delete", (m) => m.delete("key5"), (m) => m.delete("key5")],
  ["clear", (m) => m.clear(), (m) => m.clear()],
];

describe("a CowMap write whose out-of-memory hook forks, freezes, protects or unmaps the map's space", () => {
  for (const embedded of [false, true])
    for (const act of ACTS)
      for (const [name, call, model] of calls)
        it(`${embedded ? "embedded" : "standalone"}, ${act}: ${name} completes, or throws having changed nothing`, () => {
          const bad = sweep(
            [
              ["size", [6, 12, 24, 48]],
              ["shared", [false, true]],
              ["left", [0, 3, 6]],
              ["victim", [1, 5, 9, 13]],
              ["page", act.endsWith("one page") ? [1, 2, 4, 8] : [0]],
            ],
            ([size, shared, left, victim, page]) =>
              run(
                embedded,
                size as number,
                call,
                model,
                act,
                left as number,
                victim as number,
                shared as boolean,
                page as number,
              ),
          );
          expect(bad.slice(0, 3)).toEqual([]);
        });
});
