/**
 * A CowMap write near the pool's limit reserves the frames of its writes
 * (`space.reserveFrames`), which may run the pool's out-of-memory hook. A
 * hook that forks the map's space there shares every page the write had to
 * itself; one that freezes, unmaps or write-protects the space stops the
 * write's later steps. Each write must complete (a fork keeping the old
 * entries) or throw having changed nothing, and leak nothing; standalone and
 * embedded in a heap.
 */
import {
  AddressSpace,
  FramePool,
  Heap,
  type Mapping,
  OutOfMemoryError,
  ProtectionFault,
  SegmentationFault,
} from "@pagefork/core";
import { CowMap } from "@pagefork/map";
import { describe, expect, it } from "vitest";

const PS = 256;
type Act = "fork" | "freeze" | "protect" | "protect one page" | "unmap one page";
const ACTS: readonly Act[] = ["fork", "freeze", "protect", "protect one page", "unmap one page"];

function use(pool: FramePool) {
  const st = pool.stats();
  return { frames: st.framesInUse, nodes: st.pageTableNodes, committed: st.committedBytes };
}

type M = CowMap<string, string>;

function entriesOf(m: M): string {
  try {
    return JSON.stringify([...m.entries()]);
  } catch (e) {
    return `<${String(e)}>`;
  }
}

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
  let armed = false;
  let ran = false;
  let restore: readonly Mapping[] = [];
  let unmapped = false;
  const box: { m: M | null; victim: AddressSpace | null; child: M | null; childSpace: AddressSpace | null } = {
    m: null,
    victim: null,
    child: null,
    childSpace: null,
  };
  let atCall = { frames: 0, nodes: 0, committed: 0 };
  const pool = new FramePool({
    pageSize: PS,
    maxBytes: 96 * PS,
    onOutOfMemory: () => {
      if (!armed) return;
      armed = false;
      ran = true;
      box.victim?.release();
      const m = box.m as M;
      const s = m.space;
      if (act === "fork") {
        if (embedded) {
          box.childSpace = s.fork();
          box.child = CowMap.attach(Heap.attach(box.childSpace, PS), m.address);
        } else box.child = m.fork();
      } else if (act === "freeze") s.freeze();
      else if (act === "protect") {
        restore = s.mappings();
        for (const x of restore) s.protect(x.start, x.end - x.start, "read-only");
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
  const init = new Map<string, string>();
  for (let i = 0; i < size; i++) init.set(`key${i}`, `value ${i} `.repeat(1 + (i % 3)));
  let space: AddressSpace | null = null;
  let m: M;
  if (embedded) {
    space = new AddressSpace({ size: 256 * PS, pool });
    const heap = Heap.create(space, { base: PS });
    m = CowMap.create<string, string>(heap, init);
  } else m = new CowMap<string, string>(init, { pool });
  box.m = m;
  const keepSpace = shared && embedded ? (space as AddressSpace).fork() : null;
  const keep = shared && !embedded ? m.fork() : null;
  const before = entriesOf(m);
  const v = new AddressSpace({ size: 16 * PS, pool });
  for (let p = 0; p < victim; p++) v.setUint8(p * PS, 1);
  box.victim = v;
  const fill = new AddressSpace({ size: 128 * PS, pool });
  for (let i = 0; pool.framesAvailable() > left; i++) fill.setUint8(i * PS, 1);
  atCall = use(pool);
  armed = true;
  let caught: unknown = null;
  try {
    call(m);
  } catch (e) {
    caught = e;
  }
  armed = false;
  const after = use(pool);
  const problems: string[] = [];
  if (caught !== null) {
    if (![OutOfMemoryError, ProtectionFault, SegmentationFault, RangeError].some((c) => caught instanceof c))
      problems.push(`threw ${String(caught)}`);
    if (JSON.stringify(after) !== JSON.stringify(atCall))
      problems.push(`threw ${String(caught)}: pool ${JSON.stringify(after)}, expected ${JSON.stringify(atCall)}`);
  } else if (ran && (act === "freeze" || act === "protect")) problems.push(`completed although the hook ran ${act}`);
  for (const x of restore) m.space.protect(x.start, x.end - x.start, "read-write");
  if (!unmapped) {
    const expected = new Map(init);
    if (caught === null) model(expected);
    const got = entriesOf(m);
    if (got !== JSON.stringify([...expected.entries()]))
      problems.push(
        `${caught === null ? "completed" : `threw ${String(caught)}`}: entries differ (${got.slice(0, 80)})`,
      );
  }
  if (box.child !== null && entriesOf(box.child) !== before) problems.push("the hook's fork changed");
  if (keep !== null && entriesOf(keep) !== before) problems.push("the kept fork changed");
  if (!embedded) {
    for (const x of [box.child, keep, m]) x?.release();
  } else for (const x of [box.childSpace, keepSpace, space]) x?.release();
  v.release();
  fill.release();
  const st = pool.stats();
  if (st.framesInUse !== 0 || st.committedBytes !== 0 || st.spaces !== 0)
    problems.push(
      `leak: ${JSON.stringify({ frames: st.framesInUse, committed: st.committedBytes, spaces: st.spaces })}`,
    );
  return problems.length === 0 ? null : problems.join("; ");
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
          const bad: string[] = [];
          for (const size of [6, 12, 24, 48])
            for (const shared of [false, true])
              for (let left = 0; left <= 6; left += 3)
                for (let victim = 1; victim <= 13; victim += 4)
                  for (const page of act.endsWith("one page") ? [1, 2, 4, 8] : [0]) {
                    let p: string | null;
                    try {
                      p = run(embedded, size, call, model, act, left, victim, shared, page);
                    } catch (e) {
                      p = `the check threw ${String(e)}`;
                    }
                    if (p !== null)
                      bad.push(`size ${size} left ${left} victim ${victim} shared ${shared} page ${page}: ${p}`);
                  }
          expect(bad.slice(0, 3)).toEqual([]);
        });
});
