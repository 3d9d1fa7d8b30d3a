/**
 * What views need of a version, and how a view finds a live one: views are
 * shared between versions (one view per stamp, lineage.ts), so the version a
 * view reads through may be released while another live version still holds
 * the same node. Then the view moves to that version.
 *
 * @module
 */
import { ReleasedError } from "@pagefork/core";
import type { Ctx } from "./containers.js";
import type { Lineage } from "./lineage.js";

/** A version as views see it: a read context that may be released. */
export interface VersionCtx extends Ctx {
  readonly lineage: Lineage;
  readonly released: boolean;
}

/** The fields every view record has. */
export interface ViewFields {
  /** The version the view reads through (any live version holding the node's stamp). */
  ver: VersionCtx;
  readonly addr: number;
  readonly stamp: number;
}

/**
 * The live version `view` reads through: its own, or, if that was released,
 * another live version of the lineage that holds the same node (same stamp
 * at the same address), which the view then keeps. O(1), or O(live versions)
 * once after a release.
 * @throws {ReleasedError} when every version holding the node was released.
 */
export function liveCtx(view: ViewFields): VersionCtx {
  const v = view.ver;
  if (!v.released) return v;
  for (const ref of v.lineage.live as Set<WeakRef<VersionCtx>>) {
    const w = ref.deref();
    if (w === undefined) {
      v.lineage.live.delete(ref); // collected without release: its pool's registry reclaims the space
      continue;
    }
    if (!w.released && w.space.getFloat64(view.addr) === view.stamp) {
      view.ver = w;
      return w;
    }
  }
  throw new ReleasedError("state version (every version holding this value was released)");
}
