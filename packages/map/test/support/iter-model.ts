/**
 * The parts the CowMap and CowSet model tests (cow-map.model, cow-set.model)
 * share: a model of versions (each a native Map or Set, null once released)
 * with the live iterators opened over them, each paired with the native
 * collection's own iterator, so that iteration while the collection changes
 * is checked against V8's OrderedHashTable; and the commands that open and
 * step those iterators. A step of an iterator whose version was released
 * must throw ReleasedError.
 */
import { ReleasedError } from "@pagefork/core";
import type fc from "fast-check";
import { expect } from "vitest";
import { expectSame } from "../arbitraries.js";

export type IterKind = "keys" | "values" | "entries";

/** A COW iterator and the native one it must match. */
export interface IterPair {
  /** The version it walks. */
  v: number;
  model: Iterator<unknown>;
  real: Iterator<unknown>;
  finished: boolean;
}

/** The versions (null once released) and the iterators opened over them. */
export interface VersionsModel<C> {
  versions: (C | null)[];
  iters: IterPair[];
}

/** Something with the three iterator methods of a Map or Set. */
interface Walkable {
  keys(): Iterator<unknown>;
  values(): Iterator<unknown>;
  entries(): Iterator<unknown>;
}

/** The live version `i` picks (modulo the live ones), or -1 when none is live. */
export function pickVersion<C>(m: VersionsModel<C>, i: number): number {
  const live = m.versions.flatMap((v, k) => (v === null ? [] : [k]));
  return live.length === 0 ? -1 : (live[i % live.length] as number);
}

/** A command's `check`: some version is live. */
export const hasLive = <C>(m: Readonly<VersionsModel<C>>): boolean => pickVersion(m as VersionsModel<C>, 0) >= 0;

/** Opens `kind` iterators over a live version, the COW one given by `realOf(real, version)`. */
export class OpenIterCmd<C extends Walkable, R> implements fc.Command<VersionsModel<C>, R> {
  constructor(
    readonly v: number,
    readonly kind: IterKind,
    readonly realOf: (r: R, k: number) => Walkable,
  ) {}
  check = (m: Readonly<VersionsModel<C>>): boolean => hasLive(m);
  run(m: VersionsModel<C>, r: R): void {
    const k = pickVersion(m, this.v);
    m.iters.push({
      v: k,
      model: (m.versions[k] as C)[this.kind](),
      real: this.realOf(r, k)[this.kind](),
      finished: false,
    });
  }
  toString = (): string => `iter(v${this.v}, ${this.kind})`;
}

/** Steps an open iterator and its native twin `steps` times: same values (-0 and NaN told apart), same end. */
export class StepIterCmd<C, R> implements fc.Command<VersionsModel<C>, R> {
  constructor(
    readonly i: number,
    readonly steps: number,
  ) {}
  check = (m: Readonly<VersionsModel<C>>): boolean => m.iters.length > 0;
  run(m: VersionsModel<C>): void {
    const p = m.iters[this.i % m.iters.length] as IterPair;
    for (let s = 0; s < this.steps; s++) {
      if (m.versions[p.v] === null && !p.finished) {
        expect(() => p.real.next()).toThrow(ReleasedError);
        return;
      }
      const a = p.real.next();
      const b = p.model.next();
      expect(a.done).toBe(b.done);
      if (b.done) p.finished = true;
      else if (Array.isArray(b.value)) {
        expect((a.value as unknown[]).length).toBe(b.value.length);
        expectSame((a.value as unknown[])[0], b.value[0]);
        expectSame((a.value as unknown[])[1], b.value[1]);
      } else expectSame(a.value, b.value);
    }
  }
  toString = (): string => `step(it${this.i}, ${this.steps})`;
}
