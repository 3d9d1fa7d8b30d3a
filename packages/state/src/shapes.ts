/**
 * Keeping the produce path optimised between produces.
 *
 * V8 compiles hot functions against the hidden classes ("maps") of the
 * objects they see, and holds those maps *weakly*: when a garbage
 * collection finds no live object of a map, the map dies and every
 * optimised function that depends on it is thrown away ("deoptimization,
 * reason: weak objects" in `node --trace-deopt`). A class's instances reach
 * their final map through transitions from its initial map, and transitions
 * are weak too. The objects of a produce call (its `Session`, the draft
 * records and their Proxies, the list boxes, the handles of the embedded
 * text, vector and typed arrays) live only during the call, so a collection
 * between two produces, which is the common case in an app, killed those maps
 * and sent the next produce back to the interpreter: on bench W9 (100,000
 * todos, after warming up) the first 1,000 versions after building the state
 * took 90-150 us each, against 30-35 us when one session's objects stayed
 * alive (CPU time, Node 20).
 *
 * So the first `produce` of a process also runs a small "pilot" recipe over
 * every kind of node, on a private state in its own pool, twice (without
 * and with patches), and keeps both sessions (and two page-span cursors
 * each, which the core makes per text or typed-array edit) for the life of
 * the process: they keep the maps alive.
 * It costs one pool (a 64 KiB slab, a few frames) and a few KB of JS objects,
 * once; it never touches a user's pool, and users' versions stay
 * collectable (the pilot references only its own state).
 *
 * @module
 */
import { FramePool } from "@pagefork/core";
import { STATE_PAGE_SIZE } from "./layout.js";
import type { Session } from "./session.js";
import { createState, type State } from "./state.js";
import * as t from "./t.js";

const Item = t.struct({ x: t.u32, label: t.string, tags: t.set(t.string) });

/** One field of every kind a recipe usually touches. */
const Pilot = t.struct({
  n: t.f64,
  b: t.bool,
  s: t.string,
  items: t.list(Item),
  byKey: t.map(t.string, t.u32),
  doc: t.text(),
  grid: t.float64Array(64),
});

type PilotDraft = t.Draft<typeof Pilot>;

/** Undefined until the pilot was tried; then what it keeps (null if it failed at once). */
let pilot: unknown;

/** True until the pilot was tried: the caller should run it (once per process). */
export function pilotPending(): boolean {
  return pilot === undefined;
}

/**
 * Makes the pilot's state, marks the pilot as tried, and returns the state
 * and the recipe the caller runs on it; a failure here only costs speed, so
 * the caller ignores it (see the module comment).
 */
export function pilotState(): [State<typeof Pilot>, (d: PilotDraft) => void] {
  pilot = null;
  const pool = new FramePool({ pageSize: STATE_PAGE_SIZE });
  const s0 = createState(
    Pilot,
    {
      n: 0,
      b: false,
      s: "a",
      items: [{ x: 1, label: "a", tags: new Set(["a"]) }],
      byKey: new Map([["a", 1]]),
      doc: "pilot",
      grid: new Float64Array(64),
    },
    { pool },
  );
  return [s0, pilotRecipe];
}

/** Writes every kind of node once. */
function pilotRecipe(d: PilotDraft): void {
  d.n = 1.5;
  d.b = true;
  d.s = "b";
  const item = d.items[0] as t.Draft<typeof Item>;
  item.x = 2;
  item.tags.add("b");
  d.items.push({ x: 3, label: "c", tags: new Set() });
  d.byKey.set("b", 2);
  d.doc.insert(0, "x");
  d.grid[1] = 0.5;
}

/**
 * Keeps the pilot's session (and with it its objects' maps) for the life of
 * the process, and one page-span cursor of each kind the text and typed
 * arrays use (core's `PageSpanCursor`, made per edit and dropped at once).
 */
export function keepPilot(session: Session): void {
  const space = session.space;
  const cursors = [space.spans(Uint16Array, 0, 1), space.spans(Float64Array, 0, 1)];
  for (const c of cursors) c.next();
  if (!Array.isArray(pilot)) pilot = [];
  (pilot as unknown[]).push(session, cursors);
}
