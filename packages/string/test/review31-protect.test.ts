/**
 * Review 31: an edit of a text one of whose pages is mapped read-only with
 * `space.protect` (the space not frozen) is done whole, or refused with
 * ProtectionFault having changed nothing. Before, only a frozen space was
 * checked up front: an edit wrote its leaf, then stopped at the first
 * read-only page above it (an inner node, the heap's header or map, the
 * text's header, the next leaf), its earlier pages written (the leaf's new
 * units counted nowhere, pages taken from the heap and never linked); a
 * `free()` gave back its pages up to the read-only one and left the text
 * pointing at them; `create` malloc'd its header block, then failed.
 *
 * An edit that takes or frees heap pages needs the text's whole range (its
 * space, or its heap's range) writable: the plan does not know which pages
 * the heap hands out or which of its metadata pages it writes. Any other
 * edit needs only the pages it writes.
 */
import { AddressSpace, FramePool, Heap, ProtectionFault } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";

const PS = 256;

type Edit =
  | { op: "insert"; at: number; text: string }
  | { op: "delete"; at: number; count: number }
  | { op: "free" }
  | { op: "create"; text: string };

interface World {
  pool: FramePool;
  space: AddressSpace;
  heap: Heap;
  text: CowText;
  /** Releases everything. */
  done: () => void;
}

function world(embedded: boolean, init: string): World {
  const pool = new FramePool({ pageSize: PS });
  if (embedded) {
    const space = new AddressSpace({ size: 2 ** 24, pool });
    const heap = Heap.create(space, { base: PS });
    const text = CowText.create(heap, init);
    return { pool, space, heap, text, done: () => space.release() };
  }
  const text = CowText.from(init, { pool });
  return { pool, space: text.space, heap: text.nodeHeap(), text, done: () => text.release() };
}

/** Pages worth protecting: the heap's header and first map page, and its data pages up to a few past the break. */
function candidates(w: World): number[] {
  const st = w.heap.stats();
  const out = [0, st.base / PS, st.base / PS + 1];
  for (let p = st.dataStart / PS; p < st.brk / PS + 3; p++) out.push(p);
  return out;
}

const unit = fc.constantFrom("a", "b", "é", "€", "😀");
const textArb = fc.oneof(
  fc.array(unit, { maxLength: 4 }).map((a) => a.join("")),
  fc.array(unit, { minLength: 200, maxLength: 900 }).map((a) => a.join("")),
);
const editArb: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("insert" as const), at: fc.nat(), text: textArb }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("delete" as const),
      at: fc.nat(),
      count: fc.oneof(fc.nat(3), fc.nat(2000)),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: "free" as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("create" as const), text: textArb }) },
);

function snapshot(w: World, s: string) {
  return {
    text: w.text.released ? null : w.text.toString(),
    model: s,
    frames: w.pool.stats().framesInUse,
    heap: w.heap.stats(),
  };
}

/**
 * Runs `edit` on a text of `init` whose page `page` is read-only (after a
 * fork, kept or released, so that pages are shared or not). Returns what
 * happened; throws on a broken expectation.
 */
function runCase(embedded: boolean, init: string, fork: boolean, pick: number, edit: Edit): "done" | "refused" {
  const w = world(embedded, init);
  // A fork shares every page: the edit's first writes are copies (checked the same way).
  let other: { read: () => string; release: () => void } | null = null;
  if (fork && embedded) {
    const child = w.space.fork();
    const t = CowText.attach(Heap.attach(child, PS), w.text.address);
    other = { read: () => t.toString(), release: () => child.release() };
  } else if (fork) {
    const t = w.text.fork();
    other = { read: () => t.toString(), release: () => t.release() };
  }
  const list = candidates(w);
  const page = list[pick % list.length] as number;
  let s = init;
  const before = snapshot(w, s);
  w.space.protect(page * PS, PS, "read-only");
  let caught: unknown = null;
  let created: CowText | null = null;
  try {
    if (edit.op === "insert") {
      const at = edit.at % (s.length + 1);
      w.text.insert(at, edit.text);
      s = s.slice(0, at) + edit.text + s.slice(at);
    } else if (edit.op === "delete") {
      const at = edit.at % (s.length + 1);
      const count = Math.min(edit.count, s.length - at);
      w.text.delete(at, count);
      s = s.slice(0, at) + s.slice(at + count);
    } else if (edit.op === "free") {
      if (embedded) w.text.free();
    } else if (embedded) created = CowText.create(w.heap, edit.text);
  } catch (e) {
    caught = e;
  }
  w.space.protect(page * PS, PS, "read-write");
  let outcome: "done" | "refused";
  if (caught === null) {
    outcome = "done";
    if (!w.text.released) expect(w.text.toString()).toBe(s);
    if (created !== null) expect(created.toString()).toBe(edit.op === "create" ? edit.text : "");
  } else {
    outcome = "refused";
    expect(caught).toBeInstanceOf(ProtectionFault);
    expect(snapshot(w, s)).toEqual(before);
  }
  // The heap is consistent and the text still edits and reads back.
  w.heap.check();
  if (!w.text.released) {
    w.text.insert(0, "xyz");
    const c = Math.min(w.text.length - 1, 300);
    w.text.delete(1, c);
    s = `x${`xyz${s}`.slice(1 + c)}`;
    expect(w.text.toString()).toBe(s);
    if (embedded) w.text.free();
    w.heap.check();
  }
  if (created !== null) {
    created.free();
    w.heap.check();
  }
  if (other !== null) {
    expect(other.read()).toBe(init);
    other.release();
  }
  w.done();
  expect(w.pool.stats().framesInUse).toBe(0);
  return outcome;
}

describe("review 31: an edit of a text with a read-only page (space.protect) is done whole or refused, nothing changed", () => {
  const init = fc.oneof(
    fc.constant(""),
    fc.constant("abc"),
    fc.integer({ min: 300, max: 9000 }).map((n) => "abcdefghij€".repeat(Math.ceil(n / 11)).slice(0, n)),
  );
  for (const embedded of [false, true]) {
    it(`${embedded ? "embedded" : "standalone"}: insert, delete${embedded ? ", free, create" : ""}`, async () => {
      const seen = { done: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(init, fc.boolean(), fc.nat(), editArb, async (s, fork, pick, edit) => {
          seen[runCase(embedded, s, fork, pick, edit)]++;
          await new Promise((r) => setImmediate(r));
        }),
        { numRuns: runs(Number(process.env.REVIEW31_RUNS ?? 300)) },
      );
      expect(seen.refused).toBeGreaterThan(0);
      expect(seen.done).toBeGreaterThan(0);
    });
  }
});

describe("review 31: a read-only page is a ProtectionFault before the heap's room and the pool's frames", () => {
  /** An embedded text of `n` units in a heap of `pages` pages; `maxFrames` limits the pool, whose hook counts its runs. */
  function setup(n: number, pages: number, maxFrames?: number) {
    const hook = { runs: 0 };
    const pool = new FramePool(
      maxFrames === undefined
        ? { pageSize: PS }
        : { pageSize: PS, maxBytes: maxFrames * PS, onOutOfMemory: () => void hook.runs++ },
    );
    const space = new AddressSpace({ size: 2 ** 24, pool });
    const heap = Heap.create(space, { base: PS, limit: PS * (1 + pages) });
    const text = CowText.create(heap, "abcdefgh€".repeat(Math.ceil(n / 9)).slice(0, n));
    return { pool, space, heap, text, hook };
  }
  const rootPage = (t: CowText) => Math.floor((t as unknown as { root: number }).root / PS) * PS;

  it("a full heap: ProtectionFault, not OutOfMemoryError", () => {
    const w = setup(3000, 280);
    while (w.heap.stats().freePages + (w.heap.stats().dataEnd - w.heap.stats().brk) / PS > 0) w.heap.allocPage();
    const s = w.text.toString();
    w.space.protect(rootPage(w.text), PS, "read-only");
    expect(() => w.text.insert(5, "x".repeat(600))).toThrow(ProtectionFault);
    expect(w.text.toString()).toBe(s);
    w.space.release();
  });

  it("a pool short of frames: ProtectionFault, and the out-of-memory hook does not run", () => {
    const w = setup(3000, 4000, 64);
    const s = w.text.toString();
    const fork = w.space.fork(); // every page shared: the edit needs a copy of each page it writes
    const ballast = new AddressSpace({ size: 2 ** 20, pool: w.pool });
    for (let p = 0; w.pool.framesAvailable() > 1; p++) ballast.setUint8(p * PS, 1);
    w.space.protect(rootPage(w.text), PS, "read-only");
    for (const edit of [() => w.text.insert(5, "x".repeat(600)), () => w.text.delete(5, 2000), () => w.text.free()]) {
      expect(edit).toThrow(ProtectionFault);
      expect(w.hook.runs).toBe(0);
      expect(w.text.toString()).toBe(s);
    }
    for (const sp of [w.space, fork, ballast]) sp.release();
    expect(w.pool.stats().framesInUse).toBe(0);
  });

  it("an edit within one leaf needs only its own pages: a read-only page elsewhere does not refuse it", () => {
    const w = setup(3000, 4000);
    w.space.protect(w.heap.stats().brk + 2 * PS, PS, "read-only"); // a page the heap has not handed out
    const s = w.text.toString();
    w.text.delete(300, 2);
    w.text.insert(300, "yz");
    expect(w.text.toString()).toBe(`${s.slice(0, 300)}yz${s.slice(302)}`);
    w.space.release();
  });
});
