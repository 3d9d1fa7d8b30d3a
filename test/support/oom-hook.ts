/**
 * The shared harness of the out-of-memory hook tests of array, string and map
 * (their `review26-hook.test.ts`): one call of a structure, made near the
 * pool's limit, whose `onOutOfMemory` hook first releases a victim space
 * (so the call can go on) and then acts on the structure's space: forks it,
 * freezes it, write-protects or unmaps all of it or one page. The call must
 * complete as the model says (the hook's fork and a fork kept aside keeping
 * the old contents) or throw a typed error having changed nothing (the pool's
 * frames, page-table nodes and commit charge as the hook left them, the
 * contents as before); and once everything is released the pool must hold no
 * frame, no commit charge and no space (the frame-leak check).
 */
import {
  AddressSpace,
  FramePool,
  type Mapping,
  OutOfMemoryError,
  ProtectionFault,
  SegmentationFault,
} from "@pagefork/core";

/** What the hook does to the structure's space after it released the victim. */
export type HookAct =
  | { readonly kind: "fork" | "freeze" | "protect" | "unmap" }
  | { readonly kind: "protect page" | "unmap page"; readonly page: number };

/** A version of the structure (a fork), read and released by the harness. */
export interface Version<C> {
  read(): C;
  release(): void;
}

/** An error class a refused call may throw. */
// biome-ignore lint/suspicious/noExplicitAny: any error constructor
export type ErrorClass = abstract new (...args: any[]) => Error;

/** One run: the structure, the call, its model, and how near the limit the hook acts. */
export interface HookCase<T, C> {
  readonly pageSize: number;
  /** The pool's limit, in frames. */
  readonly maxFrames: number;
  /** Pages of the filler space that takes the frames down to `left`. */
  readonly fillPages: number;
  /** Builds the structure under test in `pool`. */
  make(pool: FramePool): T;
  /** The space the hook acts on. */
  space(t: T): AddressSpace;
  /** The contents, compared as JSON. */
  read(t: T): C;
  /** A fork of the structure (the hook's, and the one kept aside). */
  fork(t: T): Version<C>;
  /** Releases the structure (and what it owns). */
  release(t: T): void;
  /** Keep a fork aside before the call, so the call's pages are shared. */
  readonly keep: boolean;
  /** Runs after the fork kept aside and before the contents are read (a write that makes some pages private again). */
  prepare?: ((t: T) => void) | undefined;
  readonly call: (t: T) => unknown;
  /** The contents after a completed call, from those before it. */
  readonly model: (before: C) => C;
  readonly act: HookAct;
  /** Frames the filler leaves available. */
  readonly left: number;
  /** Frames the hook releases (the victim space's) before it acts. */
  readonly victim: number;
  /** Error classes a refusal may throw besides OutOfMemoryError, ProtectionFault and SegmentationFault. */
  readonly errors?: readonly ErrorClass[];
  /**
   * After the hook unmapped one page: maps it again and returns the contents
   * before the call as they read now (the page's bytes are zeros). Absent:
   * the contents are not compared after an unmap.
   */
  remap?(t: T, before: C): C;
}

/** Frames, page-table nodes and commit charge of `pool`. */
export function poolUse(pool: FramePool): { frames: number; nodes: number; committed: number } {
  const st = pool.stats();
  return { frames: st.framesInUse, nodes: st.pageTableNodes, committed: st.committedBytes };
}

/** What `pool` still holds once every space is released ("leak: {...}"), or null when it is empty. */
export function poolLeak(pool: FramePool): string | null {
  const st = pool.stats();
  if (st.framesInUse === 0 && st.committedBytes === 0 && st.spaces === 0) return null;
  return `leak: ${JSON.stringify({ frames: st.framesInUse, committed: st.committedBytes, spaces: st.spaces })}`;
}

/** Runs one case; returns what went wrong, or null. */
export function runHookCase<T, C>(c: HookCase<T, C>): string | null {
  const ps = c.pageSize;
  const act = c.act;
  let armed = false;
  let ran = false;
  let restore: readonly Mapping[] = [];
  const box: { t: T | null; victim: AddressSpace | null; child: Version<C> | null } = {
    t: null,
    victim: null,
    child: null,
  };
  let atCall = { frames: 0, nodes: 0, committed: 0 };
  const pool = new FramePool({
    pageSize: ps,
    maxBytes: c.maxFrames * ps,
    onOutOfMemory: () => {
      if (!armed) return;
      armed = false;
      ran = true;
      box.victim?.release();
      const t = box.t as T;
      const s = c.space(t);
      if (act.kind === "fork") box.child = c.fork(t);
      else if (act.kind === "freeze") s.freeze();
      else if (act.kind === "protect") {
        restore = s.mappings();
        for (const m of restore) s.protect(m.start, m.end - m.start, "read-only");
      } else if (act.kind === "protect page") {
        restore = [{ start: act.page * ps, end: (act.page + 1) * ps, protection: "read-only" }];
        s.protect(act.page * ps, ps, "read-only");
      } else if (act.kind === "unmap page") s.unmap(act.page * ps, ps);
      else s.unmap(0, s.size);
      atCall = poolUse(pool);
    },
  });
  const t = c.make(pool);
  box.t = t;
  const keep = c.keep ? c.fork(t) : null;
  const kept = keep?.read();
  c.prepare?.(t);
  const before = c.read(t);
  const victim = new AddressSpace({ size: 16 * ps, pool });
  for (let p = 0; p < c.victim; p++) victim.setUint8(p * ps, 1);
  box.victim = victim;
  const fill = new AddressSpace({ size: c.fillPages * ps, pool });
  for (let i = 0; pool.framesAvailable() > c.left; i++) fill.setUint8(i * ps, 1);
  atCall = poolUse(pool);
  armed = true;
  let caught: unknown = null;
  try {
    c.call(t);
  } catch (e) {
    caught = e;
  }
  armed = false;
  const after = poolUse(pool);
  const problems: string[] = [];
  const threw = `threw ${String(caught)}`;
  if (caught !== null) {
    const allowed = [OutOfMemoryError, ProtectionFault, SegmentationFault, ...(c.errors ?? [])];
    if (!allowed.some((k) => caught instanceof k)) problems.push(threw);
    if (JSON.stringify(after) !== JSON.stringify(atCall))
      problems.push(`${threw}: pool ${JSON.stringify(after)}, expected ${JSON.stringify(atCall)}`);
  } else if (ran && (act.kind === "freeze" || act.kind === "protect" || act.kind === "unmap"))
    problems.push(`completed although the hook ran ${act.kind}`);
  for (const m of restore) c.space(t).protect(m.start, m.end - m.start, "read-write");
  // What the call starts from: the hook acts before the call writes anything.
  let start: C | null = before;
  if (ran && act.kind === "unmap")
    start = null; // nothing to read back: the hook dropped every page
  else if (ran && act.kind === "unmap page") start = c.remap === undefined ? null : c.remap(t, before);
  if (start !== null) {
    const expected = JSON.stringify(caught === null ? c.model(start) : start);
    let got: string;
    try {
      got = JSON.stringify(c.read(t));
    } catch (e) {
      got = `<${String(e)}>`;
    }
    if (got !== expected) problems.push(`${caught === null ? "completed" : threw}: ${firstDifference(got, expected)}`);
  }
  const child = box.child;
  if (child !== null && JSON.stringify(child.read()) !== JSON.stringify(before))
    problems.push("the hook's fork changed");
  if (keep !== null && JSON.stringify(keep.read()) !== JSON.stringify(kept)) problems.push("the kept fork changed");
  child?.release();
  keep?.release();
  c.release(t);
  victim.release();
  fill.release();
  const leak = poolLeak(pool);
  if (leak !== null) problems.push(leak);
  return problems.length === 0 ? null : problems.join("; ");
}

/** Where two JSON texts of contents first differ, with a little context. */
function firstDifference(got: string, expected: string): string {
  let i = 0;
  while (i < got.length && i < expected.length && got[i] === expected[i]) i++;
  return `contents differ at character ${i} of their JSON (length ${got.length}, expected ${expected.length}): got …${got.slice(i, i + 40)}…, expected …${expected.slice(i, i + 40)}…`;
}

/**
 * Runs `run` over every combination of `axes` (each a name and its values),
 * calling `run` with one value of each; returns the problems found, each
 * prefixed with its combination. A check that throws is a problem too.
 */
export function sweep(
  axes: readonly (readonly [string, readonly unknown[]])[],
  run: (values: readonly unknown[]) => string | null,
): string[] {
  const bad: string[] = [];
  const values: unknown[] = [];
  const walk = (k: number): void => {
    if (k === axes.length) {
      let p: string | null;
      try {
        p = run(values);
      } catch (e) {
        p = `the check threw ${String(e)}`;
      }
      if (p !== null) bad.push(`${axes.map(([name], i) => `${name} ${String(values[i])}`).join(" ")}: ${p}`);
      return;
    }
    for (const v of (axes[k] as readonly [string, readonly unknown[]])[1]) {
      values[k] = v;
      walk(k + 1);
    }
  };
  walk(0);
  return bad;
}
