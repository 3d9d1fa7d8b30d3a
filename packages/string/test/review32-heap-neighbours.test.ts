/**
 * Review 32: embedded texts sharing their heap with other users of it:
 * blocks malloc'd, realloc'd (grown and shrunk, so that they move) and
 * freed, page runs taken and given back, between the texts' creates,
 * edits and frees, and forks of the whole space (each text attached again
 * in the child). Against plain strings and fill bytes: after every step
 * every text equals its model, every block still holds its bytes, and the
 * heap's own check passes; a refusal (the heap's range full) changes
 * nothing; at the end the pool holds no frame.
 */
import { AddressSpace, FramePool, Heap, OutOfMemoryError } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";
import { eventLoopTurns } from "../../../test/support/turn.js";

const PS = 256;
const unit = fc.constantFrom("a", "é", "€", "😀", "\ud800", "\udc00", "z");
const str = fc.array(unit, { maxLength: 700 }).map((a) => a.join(""));
const op = fc.oneof(
  fc.record({ k: fc.constant("create" as const), s: str }),
  fc.record({ k: fc.constant("ins" as const), i: fc.nat(), p: fc.nat(), s: str }),
  fc.record({ k: fc.constant("del" as const), i: fc.nat(), p: fc.nat(), n: fc.nat({ max: 900 }) }),
  fc.record({ k: fc.constant("free" as const), i: fc.nat() }),
  fc.record({ k: fc.constant("malloc" as const), n: fc.integer({ min: 1, max: 3000 }) }),
  fc.record({ k: fc.constant("realloc" as const), i: fc.nat(), n: fc.integer({ min: 1, max: 5000 }) }),
  fc.record({ k: fc.constant("blockFree" as const), i: fc.nat() }),
  fc.record({ k: fc.constant("pages" as const), n: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ k: fc.constant("fork" as const) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

interface Block {
  at: number;
  bytes: number;
  fill: number;
  pages: boolean;
}

function run(ops: Op[], size: number): void {
  const pool = new FramePool({ pageSize: PS });
  let space = new AddressSpace({ size, pool });
  let heap = Heap.create(space, { base: PS });
  let texts: { t: CowText; m: string }[] = [];
  const blocks: Block[] = [];
  const older: AddressSpace[] = [];
  let fill = 0;
  const nextFill = () => (fill = (fill % 250) + 1);
  try {
    for (const o of ops) {
      const before = texts.map((x) => x.t.length);
      try {
        switch (o.k) {
          case "create":
            texts.push({ t: CowText.create(heap, o.s), m: o.s });
            break;
          case "ins": {
            const x = texts[o.i % (texts.length || 1)];
            if (x === undefined) break;
            const p = o.p % (x.m.length + 1);
            x.t.insert(p, o.s);
            x.m = x.m.slice(0, p) + o.s + x.m.slice(p);
            break;
          }
          case "del": {
            const x = texts[o.i % (texts.length || 1)];
            if (x === undefined) break;
            const p = o.p % (x.m.length + 1);
            const n = Math.min(o.n, x.m.length - p);
            x.t.delete(p, n);
            x.m = x.m.slice(0, p) + x.m.slice(p + n);
            break;
          }
          case "free": {
            if (texts.length === 0) break;
            const i = o.i % texts.length;
            (texts[i] as { t: CowText }).t.free();
            texts.splice(i, 1);
            break;
          }
          case "malloc": {
            const at = heap.malloc(o.n);
            space.fill(nextFill(), at, at + o.n);
            blocks.push({ at, bytes: o.n, fill, pages: false });
            break;
          }
          case "pages": {
            const at = heap.allocPages(o.n);
            space.fill(nextFill(), at, at + o.n * PS);
            blocks.push({ at, bytes: o.n * PS, fill, pages: true });
            break;
          }
          case "realloc": {
            const small = blocks.filter((b) => !b.pages);
            const b = small[o.i % (small.length || 1)];
            if (b === undefined) break;
            const at = heap.realloc(b.at, o.n);
            for (let j = 0; j < Math.min(b.bytes, o.n); j += 31) {
              const got = space.getUint8(at + j);
              if (got !== b.fill) expect(got, `realloc'd block at ${at}, byte ${j}`).toBe(b.fill);
            }
            space.fill(b.fill, at, at + o.n);
            b.at = at;
            b.bytes = o.n;
            break;
          }
          case "blockFree": {
            if (blocks.length === 0) break;
            const i = o.i % blocks.length;
            const b = blocks[i] as Block;
            if (b.pages) heap.freePages(b.at, b.bytes / PS);
            else heap.free(b.at);
            blocks.splice(i, 1);
            break;
          }
          case "fork": {
            const child = space.fork();
            older.push(space);
            const h = Heap.attach(child, PS);
            texts = texts.map((x) => ({ t: CowText.attach(h, x.t.address), m: x.m }));
            space = child;
            heap = h;
            break;
          }
        }
      } catch (e) {
        expect(e).toBeInstanceOf(OutOfMemoryError); // the heap's range full: nothing changed
        expect(texts.map((x) => x.t.length)).toEqual(before.slice(0, texts.length));
      }
      for (const x of texts) expect(x.t.toString()).toBe(x.m);
      for (const b of blocks)
        for (let j = 0; j < b.bytes; j += 31) {
          const got = space.getUint8(b.at + j); // expect() only on a mismatch: its cost was most of the run
          if (got !== b.fill) expect(got, `block at ${b.at}, byte ${j}`).toBe(b.fill);
        }
      heap.check();
    }
  } finally {
    for (const s of older) s.release();
    space.release();
  }
  expect(pool.framesInUse).toBe(0);
}

describe("review 32: embedded texts among other users of their heap", () => {
  for (const [name, size] of [
    ["a roomy heap", 2 ** 22],
    ["a heap of 96 pages that fills", 96 * PS],
  ] as const) {
    // Async only to give the event loop a turn before each run (test/support/turn.ts): a soak's
    // long synchronous loop would block vitest's worker RPC past its 60 s.
    it(`match plain strings and keep the blocks' bytes (${name})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 10, maxLength: 80, size: "max" }), async (ops) => {
          await eventLoopTurns();
          run(ops, size);
        }),
        { numRuns: runs(100) },
      );
    });
  }
});
