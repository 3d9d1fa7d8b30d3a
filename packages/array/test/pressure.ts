/**
 * Memory pressure for the model tests: a pool with a small `maxBytes` (and a
 * random overcommit policy), ballast spaces holding frames, and an
 * `onOutOfMemory` hook that, by a script drawn by fast-check, does nothing,
 * releases a ballast space, or releases a whole space of the model test (every
 * live array over it), maybe the very array being written.
 *
 * While a {@link Pressure} is active, `both()` (support.ts) runs the real call
 * first. A call refused with OutOfMemoryError, or with ReleasedError because
 * the hook released its array (or, embedded, the space holding it), must have changed nothing: every live array
 * still equals the model (checked by the command afterwards), and the pool's
 * frames, page-table nodes and commit charge are what they were, less what
 * the hook released. A call that returns is then run on the model and
 * compared as usual. Arrays the hook released leave both real and model.
 */
import { AddressSpace, FramePool, OutOfMemoryError, type Overcommit, ReleasedError } from "@pagefork/core";
import fc from "fast-check";
import { expect } from "vitest";
import type { AnyCow } from "./support.js";

/** What fast-check draws for one run. */
export interface PressureScript {
  /** Frames of room above the initial arrays and the ballast. */
  readonly slack: number;
  readonly overcommit: Overcommit;
  /** Frames each ballast space holds. */
  readonly ballast: readonly number[];
  /** The hook's choices, used in turn: 0 nothing, 1 a ballast space, 2 a space of the test. */
  readonly choices: readonly number[];
}

export const pressureArb: fc.Arbitrary<PressureScript> = fc.record({
  slack: fc.oneof(fc.nat(2), fc.nat(12)),
  overcommit: fc.constantFrom("always", "always", "heuristic", "never") as fc.Arbitrary<Overcommit>,
  ballast: fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 6 }),
  choices: fc.array(fc.nat(2), { minLength: 1, maxLength: 12 }),
});

interface Use {
  frames: number;
  nodes: number;
  committed: number;
}

function use(pool: FramePool): Use {
  const s = pool.stats();
  return { frames: s.framesInUse, nodes: s.pageTableNodes, committed: s.committedBytes };
}

/** True when the array was released, or (embedded) its space was. */
function gone(a: AnyCow): boolean {
  return a.released || a.space.released;
}

/** The live pressure, if any (one model run at a time). */
export let pressure: Pressure | null = null;

/**
 * Runs `f` under the live pressure, if any ({@link Pressure.attempt}: a
 * refusal is checked to have changed nothing), then drops what the hook
 * released from the real and model lists; an error other than a refusal goes
 * on. Without pressure `f` just runs (and may throw).
 */
export function underPressure<T>(f: () => T, what: string): { ok: true; value: T } | { ok: false } {
  const made = pressure === null ? { ok: true as const, value: f() } : pressure.attempt(f, what);
  pressure?.sync();
  if (!made.ok && made.error !== null) throw made.error;
  return made;
}

export class Pressure {
  readonly pool: FramePool;
  private readonly ballast: AddressSpace[] = [];
  private step = 0;
  /** What the hook released during the current call. */
  private freed: Use = { frames: 0, nodes: 0, committed: 0 };
  private hookReleasedTests = 0;
  /** The live arrays of the test, and a way to drop released ones from real and model alike. */
  private lists: { real: (AnyCow | null)[]; model: unknown[] } | null = null;

  /**
   * A pool of `pageSize` whose limit is `initialFrames` plus the ballast plus
   * the script's slack. Call {@link Pressure.start} once the initial arrays exist.
   */
  constructor(
    readonly script: PressureScript,
    pageSize: number,
    initialFrames: number,
  ) {
    const ballast = script.ballast.reduce((a, b) => a + b, 0);
    this.pool = new FramePool({
      pageSize,
      maxBytes: (initialFrames + ballast + script.slack) * pageSize,
      overcommit: script.overcommit,
      onOutOfMemory: () => this.hook(),
    });
  }

  /** Live spaces of the test that hold no array of `real` (checkNoLeak counts them too). */
  extraSpaces: () => Iterable<AddressSpace> = () => [];

  /** Makes the ballast and activates the pressure over `real` (arrays) and `model` (same indices). */
  start(real: (AnyCow | null)[], model: unknown[]): void {
    const ps = this.pool.pageSize;
    for (const n of this.script.ballast) {
      const s = new AddressSpace({ size: n * ps, pool: this.pool });
      for (let i = 0; i < n; i++) s.setUint8(i * ps, 1);
      this.ballast.push(s);
    }
    this.lists = { real, model };
    pressure = this;
  }

  /** Deactivates; releases what is left of the ballast. */
  stop(): void {
    pressure = null;
    for (const s of this.ballast) s.release();
    this.ballast.length = 0;
  }

  private hook(): void {
    const c = this.script.choices[this.step++ % this.script.choices.length] as number;
    const before = use(this.pool);
    if (c === 1 && this.ballast.length > 0) (this.ballast.pop() as AddressSpace).release();
    else if (c === 2 && this.lists !== null) {
      const live = this.lists.real.filter((a): a is AnyCow => a !== null && !gone(a));
      const t = live[this.step % Math.max(live.length, 1)];
      if (t !== undefined) {
        const space = t.space;
        if (t.embedded)
          space.release(); // the embedder's space, with every structure in it
        else for (const a of live) if (a.space === space) a.release(); // every array over the space
        this.hookReleasedTests++;
      }
    }
    const after = use(this.pool);
    this.freed.frames += before.frames - after.frames;
    this.freed.nodes += before.nodes - after.nodes;
    this.freed.committed += before.committed - after.committed;
  }

  /** Drops the arrays the hook released from the real and model lists. */
  sync(): void {
    const l = this.lists;
    if (l === null) return;
    l.real.forEach((a, k) => {
      if (a !== null && gone(a)) {
        l.real[k] = null;
        l.model[k] = null;
      }
    });
  }

  /**
   * Runs `f`: returns `{ ok: true, value }`; or `{ ok: false, error: null }`
   * after checking that a refusal (OutOfMemoryError, or ReleasedError when the
   * hook released a space of the test) changed nothing but what the hook
   * released; or `{ ok: false, error }` for any other error.
   */
  attempt<T>(f: () => T, what: string): { ok: true; value: T } | { ok: false; error: unknown } {
    this.freed = { frames: 0, nodes: 0, committed: 0 };
    this.hookReleasedTests = 0;
    const before = use(this.pool);
    let error: unknown;
    try {
      return { ok: true, value: f() };
    } catch (e) {
      error = e;
    }
    if (!(error instanceof OutOfMemoryError || error instanceof ReleasedError)) return { ok: false, error };
    if (error instanceof ReleasedError)
      expect(this.hookReleasedTests, `${what}: ReleasedError, but the hook released no array`).toBeGreaterThan(0);
    if (this.hookReleasedTests === 0)
      expect(use(this.pool), `${what}: refused (${error.name}), the pool must be as before`).toEqual({
        frames: before.frames - this.freed.frames,
        nodes: before.nodes - this.freed.nodes,
        committed: before.committed - this.freed.committed,
      });
    // The hook released spaces of the test, which may share frames with what the call
    // made and dropped: what the pool holds must be exactly what the live spaces hold.
    else this.checkNoLeak(`${what}: refused (${error.name})`);
    return { ok: false, error: null };
  }

  /**
   * The pool holds exactly what the live spaces hold: their PSS sums to the
   * bytes in use (core stats.ts), their mappings to the commit charge, and no
   * other space is alive.
   */
  checkNoLeak(what: string): void {
    const spaces = new Set<AddressSpace>(this.ballast);
    for (const a of this.lists?.real ?? []) if (a !== null && !gone(a)) spaces.add(a.space);
    for (const s of this.extraSpaces()) if (!s.released) spaces.add(s);
    let pss = 0;
    let mapped = 0;
    for (const s of spaces) {
      const st = s.stats();
      pss += st.pss;
      mapped += st.mappedBytes;
    }
    const ps = this.pool.stats();
    expect(ps.spaces, `${what}: live spaces`).toBe(spaces.size);
    expect(Math.abs(pss - ps.bytesInUse), `${what}: PSS summed ${pss}, bytes in use ${ps.bytesInUse}`).toBeLessThan(
      1e-6 * (ps.bytesInUse + 1),
    );
    expect(mapped, `${what}: committed bytes`).toBe(ps.committedBytes);
  }
}
