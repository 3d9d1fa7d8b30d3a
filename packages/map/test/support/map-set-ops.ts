/**
 * Shared pieces of the map-and-set model tests whose pool's out-of-memory
 * hook acts while a write waits (review30-hook-model, review30-hook-standalone):
 * the write commands (a map or set write whose hook does one act, near the
 * pool's limit), their operations as pairs (the call on the CowMap or CowSet,
 * the same call on the native model), a pool whose hook acts on the run's
 * real side once it is set, and the frame-leak check at the end of a run.
 */
import { FramePool } from "@pagefork/core";
import type { CowMap, CowSet } from "@pagefork/map";
import fc from "fast-check";
import { expect } from "vitest";
import type { Ballast } from "../pressure.js";

/** A write of a map-and-set model command: map set, delete or clear; set add or remove. */
export type MapSetOp = "set" | "delete" | "clear" | "add" | "remove";

/** The call `op` on the real map or set, and the same call on the model's. */
export function mapSetOp(
  op: MapSetOp,
  key: string,
  value: unknown,
  real: { m: CowMap<string, unknown>; s: CowSet<string> },
  model: { map: Map<string, unknown>; set: Set<string> },
): [write: () => unknown, model: () => unknown] {
  switch (op) {
    case "set":
      return [() => real.m.set(key, value), () => model.map.set(key, value)];
    case "delete":
      return [() => real.m.delete(key), () => model.map.delete(key)];
    case "clear":
      return [() => real.m.clear(), () => model.map.clear()];
    case "add":
      return [() => real.s.add(key), () => model.set.add(key)];
    case "remove":
      return [() => real.s.delete(key), () => model.set.delete(key)];
  }
}

/**
 * A pool of `maxFrames` frames of `pageSize` bytes whose out-of-memory hook
 * calls `hook` with `box.r` while that is set (a run sets it once its real
 * side exists and clears it before releasing).
 */
export function hookedPool<R>(
  pageSize: number,
  maxFrames: number,
  hook: (r: R) => void,
): { pool: FramePool; box: { r: R | null } } {
  const box: { r: R | null } = { r: null };
  const pool = new FramePool({
    pageSize,
    maxBytes: maxFrames * pageSize,
    onOutOfMemory: () => {
      if (box.r !== null) hook(box.r);
    },
  });
  return { pool, box };
}

/** The frame-leak check: with everything released, `pool` holds no frame, no commit charge and (with `nodes`) no page-table node. */
export function expectPoolEmpty(pool: FramePool, nodes = true): void {
  expect(pool.stats().framesInUse, "frames left").toBe(0);
  if (nodes) expect(pool.stats().pageTableNodes, "page-table nodes left").toBe(0);
  expect(pool.stats().committedBytes, "commit charge left").toBe(0);
}

/** The model side of a map-and-set hook test. */
export interface MapSetModel {
  map: Map<string, unknown>;
  set: Set<string>;
}

/** The real side of a map-and-set hook test, as far as its write commands use it. */
export interface HookedReal<A extends string> {
  m: CowMap<string, unknown>;
  s: CowSet<string>;
  ballast: Ballast;
  /** What the hook does when it next runs. */
  act: A;
  /** Whether the hook releases the ballast after its act. */
  relieve: boolean;
}

/** Runs `write` on the real side and, by the test's rules, `model` on the model; checks what the test checks. */
export type Attempt<M, R> = (m: M, r: R, write: () => unknown, model: () => unknown) => void;

/**
 * One write (map set, delete, clear; set add, remove) of `key` (a value of
 * `len`: the number itself below 9, else a string of that length), made with
 * `leave` frames free and the hook set to `act` (and to release the ballast
 * after it, with `relieve`).
 */
export class WriteCmd<A extends string, M extends MapSetModel, R extends HookedReal<A>> implements fc.Command<M, R> {
  constructor(
    readonly attempt: Attempt<M, R>,
    readonly op: MapSetOp,
    readonly key: string,
    readonly len: number,
    readonly act: A,
    readonly leave: number,
    readonly relieve: boolean,
  ) {}
  check = () => true;
  run(m: M, r: R): void {
    r.ballast.squeeze(this.leave);
    r.act = this.act;
    r.relieve = this.relieve;
    const v = this.len < 9 ? this.len : "v".repeat(this.len);
    const [write, model] = mapSetOp(this.op, this.key, v, r, m);
    this.attempt(m, r, write, model);
  }
  toString = () =>
    `${this.op}(${JSON.stringify(this.key)}, len ${this.len}, hook ${this.act}${this.relieve ? " + relieve" : ""}, leave ${this.leave})`;
}

/** Write commands: "set" twice as often as each other op, values of length 0 to `maxLen`. */
export function writeCmds<A extends string, M extends MapSetModel, R extends HookedReal<A>>(o: {
  attempt: Attempt<M, R>;
  keys: fc.Arbitrary<string>;
  maxLen: number;
  acts: fc.Arbitrary<A>;
  leave: fc.Arbitrary<number>;
}): fc.Arbitrary<WriteCmd<A, M, R>> {
  return fc
    .tuple(
      fc.constantFrom<MapSetOp>("set", "set", "delete", "clear", "add", "remove"),
      o.keys,
      fc.nat(o.maxLen),
      o.acts,
      o.leave,
      fc.boolean(),
    )
    .map(([op, k, len, act, leave, relieve]) => new WriteCmd(o.attempt, op, k, len, act, leave, relieve));
}
