/**
 * Review 32: a History of address spaces on a shared pool with a byte limit,
 * whose versions are handed out with `share()` (a handle pins its version)
 * while the history goes on committing, undoing, evicting (`maxVersions`)
 * and dropping redo branches, and is finally released while handles are
 * still outstanding. Model: each version is a plain Uint8Array copied from
 * its parent; each handle remembers the bytes of the version it was made
 * from. A handle attached (in this thread) at any later time must read those
 * bytes, whatever the history released meanwhile; a commit refused by the
 * pool (OutOfMemoryError from the draft's write) must leave the history and
 * the pool as before. At the end, with the history, every attachment and
 * every handle released (attached or `unshare`d), the pool holds no frame,
 * node or charge.
 *
 * PAGEFORK_TEST_RUNS_SCALE multiplies the number of runs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { History } from "../src/history.js";
import { AddressSpace, FramePool, OutOfMemoryError, ReleasedError, type SharedSpaceHandle } from "../src/index.js";
import { bytes } from "./support/helpers.js";

const PS = 256;
const PAGES = 8;
const SIZE = PAGES * PS;
const RUNS_SCALE = Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1);

type Cmd =
  | { c: "commit"; at: number; len: number; seed: number }
  | { c: "undo" | "redo" | "share" }
  | { c: "attach" | "unshare"; k: number };

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      c: fc.constant("commit" as const),
      at: fc.nat(SIZE - 1),
      len: fc.integer({ min: 1, max: 3 * PS }),
      seed: fc.integer({ min: 1, max: 1 << 30 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ c: fc.constantFrom("undo" as const, "redo" as const, "share" as const) }) },
  { weight: 2, arbitrary: fc.record({ c: fc.constantFrom("attach" as const, "unshare" as const), k: fc.nat() }) },
);

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

function run(maxVersions: number, maxFrames: number, cmds: Cmd[]): void {
  const pool = new FramePool({ shared: true, pageSize: PS, maxBytes: maxFrames * PS });
  const history = new History(new AddressSpace({ size: SIZE, pool }), { maxVersions, freeze: true });
  let model: Uint8Array[] = [new Uint8Array(SIZE)];
  let cursor = 0;
  const handles: { handle: SharedSpaceHandle; bytes: Uint8Array }[] = [];
  const check = (label: string) => {
    expect(history.size, label).toBe(model.length);
    expect(history.position, label).toBe(cursor);
    [...history].forEach((v, i) => {
      expect(equalBytes(v.read(0, new Uint8Array(SIZE)), model[i] as Uint8Array), `${label}: version ${i}`).toBe(true);
    });
  };
  try {
    for (const [step, cmd] of cmds.entries()) {
      const label = `step ${step} ${JSON.stringify(cmd)}`;
      switch (cmd.c) {
        case "commit": {
          const len = Math.min(cmd.len, SIZE - cmd.at);
          const data = bytes(cmd.seed, len);
          const before = { frames: pool.framesInUse, committed: pool.stats().committedBytes };
          const draft = history.fork();
          try {
            draft.write(cmd.at, data);
          } catch (e) {
            expect(e, label).toBeInstanceOf(OutOfMemoryError);
            draft.release();
            expect({ frames: pool.framesInUse, committed: pool.stats().committedBytes }, label).toEqual(before);
            break;
          }
          history.commit(draft);
          const next = (model[cursor] as Uint8Array).slice();
          next.set(data, cmd.at);
          model = model.slice(0, cursor + 1);
          model.push(next);
          if (model.length > maxVersions) model.shift();
          cursor = model.length - 1;
          break;
        }
        case "undo":
          if (cursor > 0) {
            cursor--;
            expect(history.undo(), label).toBe(history.current);
          } else expect(history.undo(), label).toBe(undefined);
          break;
        case "redo":
          if (cursor < model.length - 1) {
            cursor++;
            expect(history.redo(), label).toBe(history.current);
          } else expect(history.redo(), label).toBe(undefined);
          break;
        case "share":
          try {
            handles.push({ handle: history.current.share(), bytes: (model[cursor] as Uint8Array).slice() });
          } catch (e) {
            expect(e, label).toBeInstanceOf(OutOfMemoryError); // the pin fork's charge, or its pin chunk
          }
          break;
        case "attach":
        case "unshare": {
          if (handles.length === 0) break;
          const [h] = handles.splice(cmd.k % handles.length, 1) as [{ handle: SharedSpaceHandle; bytes: Uint8Array }];
          if (cmd.c === "unshare") {
            pool.unshare(h.handle);
            break;
          }
          const seen = AddressSpace.attach(h.handle);
          expect(equalBytes(seen.read(0, new Uint8Array(SIZE)), h.bytes), `${label}: attached bytes`).toBe(true);
          seen.release();
          break;
        }
      }
      check(label);
    }
    // Release the history while handles still pin some of its versions.
    history.release();
    expect(() => history.fork()).toThrow(ReleasedError);
    for (const [i, h] of handles.entries()) {
      if (i % 2 === 0) pool.unshare(h.handle);
      else {
        const seen = AddressSpace.attach(h.handle);
        expect(equalBytes(seen.read(0, new Uint8Array(SIZE)), h.bytes), `after release: handle ${i}`).toBe(true);
        seen.release();
      }
    }
    handles.length = 0;
  } finally {
    history.release();
    for (const h of handles) pool.unshare(h.handle);
  }
  const s = pool.stats();
  expect([s.framesInUse, s.pageTableNodes, s.committedBytes, s.sharedHandles]).toEqual([0, 0, 0, 0]);
}

describe("review32: History versions shared while the history commits, evicts and is released", () => {
  it(
    "handles read their version's bytes whatever the history released; refused commits change nothing; no leak",
    async () => {
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 5 })),
          fc.constantFrom(Number.POSITIVE_INFINITY, 12, 24, 48),
          fc.array(cmdArb, { minLength: 5, maxLength: 60, size: "max" }),
          async (maxVersions, maxFrames, cmds) => {
            if (++runs % 10 === 0) await new Promise((r) => setImmediate(r));
            run(maxVersions, maxFrames, cmds);
          },
        ),
        { numRuns: Math.ceil(100 * RUNS_SCALE) },
      );
    },
    60_000 * RUNS_SCALE,
  );
});
