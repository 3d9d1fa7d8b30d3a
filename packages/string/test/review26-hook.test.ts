/**
 * A text edit near the pool's limit plans its page writes, then reserves the
 * frames (`space.reserveFrames`), which may run the pool's out-of-memory
 * hook. A hook that forks the text's space there shares every page the edit
 * had to itself; one that freezes, unmaps or write-protects it stops the
 * edit's writes. Each edit must complete (a fork keeping the old text) or
 * throw having changed nothing, and leak nothing.
 */
import {
  AddressSpace,
  FramePool,
  type Mapping,
  OutOfMemoryError,
  ProtectionFault,
  SegmentationFault,
} from "@pagefork/core";
import { CowText } from "@pagefork/string";
import { describe, expect, it } from "vitest";

const PS = 256;
type Act = "fork" | "freeze" | "protect" | "protect one page" | "unmap one page";
const ACTS: readonly Act[] = ["fork", "freeze", "protect", "protect one page", "unmap one page"];

function use(pool: FramePool) {
  const st = pool.stats();
  return { frames: st.framesInUse, nodes: st.pageTableNodes, committed: st.committedBytes };
}

const base = Array.from({ length: 1500 }, (_, i) => String.fromCharCode(97 + (i % 26)) + (i % 7 === 0 ? "é" : "")).join(
  "",
);

function run(
  call: (t: CowText) => unknown,
  model: (s: string) => string,
  act: Act,
  left: number,
  victim: number,
  shared: number,
  page: number,
): string | null {
  let armed = false;
  let ran = false;
  let restore: readonly Mapping[] = [];
  let unmapped = false;
  const box: { t: CowText | null; victim: AddressSpace | null; child: CowText | null } = {
    t: null,
    victim: null,
    child: null,
  };
  let atCall = { frames: 0, nodes: 0, committed: 0 };
  const pool = new FramePool({
    pageSize: PS,
    maxBytes: 64 * PS,
    onOutOfMemory: () => {
      if (!armed) return;
      armed = false;
      ran = true;
      box.victim?.release();
      const t = box.t as CowText;
      const s = t.space;
      if (act === "fork") box.child = t.fork();
      else if (act === "freeze") s.freeze();
      else if (act === "protect") {
        restore = s.mappings();
        for (const m of restore) s.protect(m.start, m.end - m.start, "read-only");
      } else if (act === "protect one page") {
        restore = [{ start: page * PS, end: (page + 1) * PS, protection: "read-only" }];
        s.protect(page * PS, PS, "read-only");
      } else {
        s.unmap(page * PS, PS);
        unmapped = true;
      }
      atCall = use(pool);
    },
  });
  const t = CowText.from(base, { pool });
  box.t = t;
  const keep = shared > 0 ? t.fork() : null;
  if (shared === 2) t.insert(0, "x"); // the path to the first leaf private again
  const init = t.toString();
  const v = new AddressSpace({ size: 16 * PS, pool });
  for (let p = 0; p < victim; p++) v.setUint8(p * PS, 1);
  box.victim = v;
  const fill = new AddressSpace({ size: 64 * PS, pool });
  for (let i = 0; pool.framesAvailable() > left; i++) fill.setUint8(i * PS, 1);
  atCall = use(pool);
  armed = true;
  let caught: unknown = null;
  try {
    call(t);
  } catch (e) {
    caught = e;
  }
  armed = false;
  const after = use(pool);
  const problems: string[] = [];
  if (caught !== null) {
    if (![OutOfMemoryError, ProtectionFault, SegmentationFault].some((c) => caught instanceof c))
      problems.push(`threw ${String(caught)}`);
    if (JSON.stringify(after) !== JSON.stringify(atCall))
      problems.push(`threw ${String(caught)}: pool ${JSON.stringify(after)}, expected ${JSON.stringify(atCall)}`);
  } else if (ran && (act === "freeze" || act === "protect")) problems.push(`completed although the hook ran ${act}`);
  for (const m of restore) t.space.protect(m.start, m.end - m.start, "read-write");
  if (!unmapped) {
    let got: string;
    try {
      got = t.toString();
    } catch (e) {
      got = `<${String(e)}>`;
    }
    const expected = caught === null ? model(init) : init;
    if (got !== expected)
      problems.push(
        `${caught === null ? "completed" : `threw ${String(caught)}`}: text differs (length ${got.length}, expected ${expected.length})`,
      );
  }
  const child = box.child;
  if (child !== null && child.toString() !== init) problems.push("the hook's fork changed");
  if (keep !== null && shared === 1 && keep.toString() !== init) problems.push("the kept fork changed");
  for (const s of [child, keep, t]) s?.release();
  v.release();
  fill.release();
  const st = pool.stats();
  if (st.framesInUse !== 0 || st.committedBytes !== 0 || st.spaces !== 0)
    problems.push(
      `leak: ${JSON.stringify({ frames: st.framesInUse, committed: st.committedBytes, spaces: st.spaces })}`,
    );
  return problems.length === 0 ? null : problems.join("; ");
}

const chunk = "0123456789".repeat(60);
const calls: [string, (t: CowText) => unknown, (s: string) => string][] = [
  ["insert a chunk (splits)", (t) => t.insert(700, chunk), (s) => s.slice(0, 700) + chunk + s.slice(700)],
  ["insert one unit", (t) => t.insert(300, "Z"), (s) => `${s.slice(0, 300)}Z${s.slice(300)}`],
  ["insert at the end", (t) => t.insert(t.length, chunk), (s) => s + chunk],
  ["delete across leaves", (t) => t.delete(100, 900), (s) => s.slice(0, 100) + s.slice(1000)],
  ["delete a few units", (t) => t.delete(400, 3), (s) => s.slice(0, 400) + s.slice(403)],
  ["delete everything", (t) => t.delete(0, t.length), () => ""],
];

describe("a CowText edit whose out-of-memory hook forks, freezes, protects or unmaps the text's space", () => {
  for (const act of ACTS)
    for (const [name, call, model] of calls)
      it(`${act}: ${name} completes, or throws having changed nothing`, () => {
        const bad: string[] = [];
        for (const shared of [0, 1, 2])
          for (let left = 0; left <= 8; left += 2)
            for (let victim = 1; victim <= 9; victim += 2)
              for (const page of act.endsWith("one page") ? [1, 2, 5, 9] : [0]) {
                let p: string | null;
                try {
                  p = run(call, model, act, left, victim, shared, page);
                } catch (e) {
                  p = `the check threw ${String(e)}`;
                }
                if (p !== null) bad.push(`left ${left} victim ${victim} shared ${shared} page ${page}: ${p}`);
              }
        expect(bad.slice(0, 3)).toEqual([]);
      });
});
