/**
 * Review 33: `CowText.freeze()` and `frozen`. A standalone text freezes its
 * own space; every later edit that would change the text throws
 * ProtectionFault and changes nothing (text, length, the pool's frames and
 * page-table nodes, the handle's root, height and length), an edit that
 * writes nothing returns; reads, `fork()` (writable, as a fork of a frozen
 * AddressSpace) and `release()` work. An embedded text refuses `freeze()`
 * (InvalidArgumentError, nothing changed). `new History(text, { freeze: true })`
 * takes texts. Against a plain string, with a frame-leak check at the end.
 */
import {
  AddressSpace,
  FramePool,
  Heap,
  History,
  InvalidArgumentError,
  ProtectionFault,
  ReleasedError,
} from "@pagefork/core";
import { CowText, textStateOf } from "@pagefork/string";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";
import { eventLoopTurns } from "../../../test/support/turn.js";

type Edit = { op: "insert"; pos: number; text: string } | { op: "delete"; pos: number; count: number };

const piece = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.constantFrom("x".repeat(300), "€".repeat(200), "y".repeat(2000), "\u{1F600}".repeat(90)),
);
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constant("insert" as const), pos: fc.nat(), text: piece }),
  fc.record({ op: fc.constant("delete" as const), pos: fc.nat(), count: fc.oneof(fc.nat(5), fc.nat(3000)) }),
);

/** `e` fitted to a text of `len` code units. */
function fit(e: Edit, len: number): Edit {
  const pos = e.pos % (len + 1);
  return e.op === "insert" ? { ...e, pos } : { ...e, pos, count: Math.min(e.count, len - pos) };
}

function applyModel(s: string, e: Edit): string {
  return e.op === "insert" ? s.slice(0, e.pos) + e.text + s.slice(e.pos) : s.slice(0, e.pos) + s.slice(e.pos + e.count);
}

function applyText(t: CowText, e: Edit): void {
  if (e.op === "insert") t.insert(e.pos, e.text);
  else t.delete(e.pos, e.count);
}

/** What a refused edit must leave as it was. */
function snapshot(t: CowText) {
  const { framesInUse, pageTableNodes } = t.space.pool.stats();
  return { text: t.toString(), length: t.length, state: textStateOf(t), framesInUse, pageTableNodes };
}

describe("review 33: CowText.freeze()", () => {
  it("property: edits, freeze at a random point, then every edit that would change the text throws ProtectionFault and changes nothing; a fork is writable", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 600 }),
        fc.array(edit, { maxLength: 12 }),
        fc.array(edit, { minLength: 1, maxLength: 12 }),
        fc.array(edit, { maxLength: 6 }),
        fc.constantFrom(256, 1024),
        async (initial, before, attempts, forkEdits, pageSize) => {
          await eventLoopTurns(); // a turn per run: vitest's RPC must not wait 60 s
          const pool = new FramePool({ pageSize });
          const t = CowText.from(initial, { pool });
          let model = initial;
          for (const e0 of before) {
            const e = fit(e0, model.length);
            applyText(t, e);
            model = applyModel(model, e);
          }
          expect(t.frozen).toBe(false);
          t.freeze();
          t.freeze(); // idempotent
          expect(t.frozen).toBe(true);
          expect(t.space.frozen).toBe(true);
          for (const e0 of attempts) {
            const e = fit(e0, model.length);
            const changes = applyModel(model, e) !== model;
            const was = snapshot(t);
            let caught: unknown = null;
            try {
              applyText(t, e);
            } catch (err) {
              caught = err;
            }
            if (changes) expect(caught).toBeInstanceOf(ProtectionFault);
            else expect(caught).toBeNull(); // writes nothing: returns, as a zero-length write does
            expect(snapshot(t)).toEqual(was);
            expect(t.toString()).toBe(model);
          }
          // Reads work; a fork is an ordinary writable text.
          expect(t.slice(0, 10)).toBe(model.slice(0, 10));
          expect([...t].join("")).toBe(model);
          const f = t.fork();
          expect(f.frozen).toBe(false);
          let forkModel = model;
          for (const e0 of forkEdits) {
            const e = fit(e0, forkModel.length);
            applyText(f, e);
            forkModel = applyModel(forkModel, e);
          }
          expect(f.toString()).toBe(forkModel);
          expect(t.toString()).toBe(model);
          expect(t.frozen).toBe(true);
          f.release();
          t.release();
          expect(t.frozen).toBe(true); // readable after release
          expect(pool.stats().framesInUse).toBe(0);
          expect(pool.stats().pageTableNodes).toBe(0);
        },
      ),
      { numRuns: runs(120) },
    );
  });

  it("a multi-page insert and delete into a frozen text write no page: frames, nodes and RSS as they were", () => {
    const pool = new FramePool({ pageSize: 256 });
    const t = CowText.from("a".repeat(5000), { pool });
    const other = t.fork(); // shared pages: a write would copy them
    t.freeze();
    const was = { ...snapshot(t), rss: t.space.stats().rss, faults: t.space.stats().copyFaults };
    expect(() => t.insert(2500, "b".repeat(10_000))).toThrow(ProtectionFault);
    expect(() => t.delete(100, 4000)).toThrow(ProtectionFault);
    expect(() => t.insert(0, "c")).toThrow(ProtectionFault);
    expect({ ...snapshot(t), rss: t.space.stats().rss, faults: t.space.stats().copyFaults }).toEqual(was);
    other.insert(0, "z"); // the other version is its own
    expect(other.length).toBe(5001);
    other.release();
    t.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("freeze after release throws ReleasedError; an attached shared text is frozen already (freeze is a no-op)", () => {
    const t = CowText.from("abc");
    t.release();
    expect(() => t.freeze()).toThrow(ReleasedError);
    const pool = new FramePool({ shared: true });
    const doc = CowText.from("abc", { pool });
    const seen = CowText.attachShared(doc.share());
    expect(seen.frozen).toBe(true);
    seen.freeze();
    expect(() => seen.insert(0, "x")).toThrow(ProtectionFault);
    expect(doc.frozen).toBe(false);
    seen.release();
    doc.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("an embedded text refuses freeze() with InvalidArgumentError and changes nothing; `frozen` follows its space", () => {
    const pool = new FramePool({ pageSize: 256 });
    const space = new AddressSpace({ size: 2 ** 30, pool });
    const heap = Heap.create(space, { base: 256 });
    const t = CowText.create(heap, "hello");
    const frames = pool.stats().framesInUse;
    expect(() => t.freeze()).toThrow(InvalidArgumentError);
    expect(space.frozen).toBe(false);
    expect(t.frozen).toBe(false);
    expect(pool.stats().framesInUse).toBe(frames);
    t.insert(5, "!"); // still writable
    // The history cannot take it either (it can neither be forked nor frozen alone).
    expect(() => new History(t, { freeze: true })).toThrow(InvalidArgumentError);
    expect(space.frozen).toBe(false);
    space.freeze(); // the embedder's freeze
    expect(t.frozen).toBe(true);
    expect(() => t.insert(0, "x")).toThrow(ProtectionFault);
    expect(t.toString()).toBe("hello!");
    space.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("property: History({ freeze: true }) of texts through commits, undo and redo: every version frozen, equal to its model", async () => {
    type Step = { op: "commit"; edit: Edit } | { op: "undo" } | { op: "redo" };
    const step: fc.Arbitrary<Step> = fc.oneof(
      { weight: 3, arbitrary: fc.record({ op: fc.constant("commit" as const), edit }) },
      { weight: 1, arbitrary: fc.constant({ op: "undo" as const }) },
      { weight: 1, arbitrary: fc.constant({ op: "redo" as const }) },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 300 }),
        fc.array(step, { maxLength: 25 }),
        fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
        async (initial, steps, maxVersions) => {
          await eventLoopTurns(); // a turn per run: vitest's RPC must not wait 60 s
          const pool = new FramePool({ pageSize: 256 });
          const history = new History(
            CowText.from(initial, { pool }),
            maxVersions === undefined ? { freeze: true } : { freeze: true, maxVersions },
          );
          let models = [initial];
          let cursor = 0;
          for (const s of steps) {
            if (s.op === "commit") {
              const draft = history.fork();
              expect(draft.frozen).toBe(false);
              const e = fit(s.edit, (models[cursor] as string).length);
              applyText(draft, e);
              history.commit(draft);
              expect(draft.frozen).toBe(true);
              models = [...models.slice(0, cursor + 1), applyModel(models[cursor] as string, e)];
              if (maxVersions !== undefined && models.length > maxVersions)
                models = models.slice(models.length - maxVersions);
              cursor = models.length - 1;
            } else if (s.op === "undo") {
              const v = history.undo();
              if (cursor > 0) cursor--;
              else expect(v).toBeUndefined();
            } else {
              const v = history.redo();
              if (cursor < models.length - 1) cursor++;
              else expect(v).toBeUndefined();
            }
            const current = history.current;
            expect(current.frozen).toBe(true);
            expect(current.toString()).toBe(models[cursor]);
            if (current.length > 0) {
              const frames = pool.stats().framesInUse;
              expect(() => current.delete(0, 1)).toThrow(ProtectionFault);
              expect(pool.stats().framesInUse).toBe(frames);
            }
            expect(() => current.insert(0, "!")).toThrow(ProtectionFault);
            expect(current.toString()).toBe(models[cursor]);
          }
          expect([...history].map((v) => v.toString())).toEqual(models);
          history.release();
          expect(pool.stats().framesInUse).toBe(0);
          expect(pool.stats().pageTableNodes).toBe(0);
        },
      ),
      { numRuns: runs(60) },
    );
  });
});
