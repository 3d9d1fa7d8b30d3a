/**
 * Review 28: model-based test of the engine's least-tested paths together:
 * mappings changed on partial ranges and page boundaries (map / unmap /
 * protect / discard, as mmap, munmap, mprotect, MADV_DONTNEED), multi-page
 * bulk writes, page-span writes and proxy views, forks and releases in any
 * order, share()/attach in one thread (the attached version must keep the
 * bytes of its share() whatever the owner does, and a fork of it is a private
 * writable copy), transferCopy()/attach, and diff. Each space is modelled by
 * a plain Uint8Array copied on fork plus a protection per page.
 *
 * After every command: every live space reads as its model (unmapped pages
 * throw SegmentationFault), its mappings are the model's runs, `uss <= pss <=
 * rss`, and (no handle outstanding) the PSS of the pool's spaces adds up to
 * `bytesInUse`. A command that throws must be one the model refuses, with the
 * model's error class, and must change nothing. At the end every space,
 * attachment and handle is released: the pool holds no frame, node or charge.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AddressSpace,
  FramePool,
  InvalidArgumentError,
  type Protection,
  ProtectionFault,
  SegmentationFault,
  type SharedSpaceHandle,
} from "../src/index.js";
import { bytes } from "./support/helpers.js";

const PS = 256;
const PAGES = Number(process.env.REVIEW28_PAGES ?? 12);
const SIZE = PS * PAGES;
const NONE = 0;
const RO = 1;
const RW = 2;

interface M {
  space: AddressSpace;
  bytes: Uint8Array;
  prot: Uint8Array;
  frozen: boolean;
}

type Cmd =
  | { c: "fork"; i: number }
  | { c: "release"; i: number }
  | { c: "write"; i: number; at: number; len: number; seed: number }
  | { c: "fill"; i: number; start: number; len: number; v: number }
  | { c: "copyWithin"; i: number; t: number; s: number; len: number }
  | { c: "f64"; i: number; at: number; v: number }
  | { c: "span"; i: number; at: number; n: number; v: number }
  | { c: "view"; i: number; at: number; v: number }
  | { c: "discard" | "unmap" | "map" | "ro" | "rw"; i: number; page: number; n: number }
  | { c: "freeze"; i: number }
  | { c: "share"; i: number; attach: boolean }
  | { c: "attached"; k: number; op: "release" | "fork" | "check" | "transfer" | "discard" | "unmap" }
  | { c: "transfer"; i: number }
  | { c: "diff"; i: number; j: number };

const idx = fc.nat(7);
const addr = fc.nat(SIZE - 1);
const pageRange = { page: fc.nat(PAGES - 1), n: fc.integer({ min: 1, max: 4 }) };
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ c: fc.constant("fork" as const), i: idx }) },
  { weight: 2, arbitrary: fc.record({ c: fc.constant("release" as const), i: idx }) },
  {
    weight: 5,
    arbitrary: fc.record({
      c: fc.constant("write" as const),
      i: idx,
      at: addr,
      len: fc.integer({ min: 0, max: 3 * PS }),
      seed: fc.nat(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      c: fc.constant("fill" as const),
      i: idx,
      start: addr,
      len: fc.integer({ min: 0, max: 3 * PS }),
      v: fc.nat(255),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      c: fc.constant("copyWithin" as const),
      i: idx,
      t: addr,
      s: addr,
      len: fc.integer({ min: 0, max: 3 * PS }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ c: fc.constant("f64" as const), i: idx, at: fc.nat(SIZE / 8 - 1), v: fc.double() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      c: fc.constant("span" as const),
      i: idx,
      at: fc.nat(SIZE / 4 - 1),
      n: fc.integer({ min: 1, max: 200 }),
      v: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ c: fc.constant("view" as const), i: idx, at: fc.nat(SIZE / 2 - 1), v: fc.nat(65535) }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      c: fc.constantFrom("discard" as const, "unmap" as const, "map" as const, "ro" as const, "rw" as const),
      i: idx,
      ...pageRange,
    }),
  },
  { weight: 1, arbitrary: fc.record({ c: fc.constant("freeze" as const), i: idx }) },
  { weight: 2, arbitrary: fc.record({ c: fc.constant("share" as const), i: idx, attach: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      c: fc.constant("attached" as const),
      k: fc.nat(),
      op: fc.constantFrom(
        "release" as const,
        "fork" as const,
        "check" as const,
        "transfer" as const,
        "discard" as const,
        "unmap" as const,
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ c: fc.constant("transfer" as const), i: idx }) },
  { weight: 1, arbitrary: fc.record({ c: fc.constant("diff" as const), i: idx, j: idx }) },
);

/** Bytes of `s` (unmapped pages read as zeros), checking unmapped pages throw. */
function bytesOf(s: AddressSpace, prot: Uint8Array): Uint8Array {
  const out = new Uint8Array(SIZE);
  for (let p = 0; p < PAGES; p++) {
    if (prot[p] === NONE) {
      expect(() => s.getUint8(p * PS)).toThrow(SegmentationFault);
      continue;
    }
    s.read(p * PS, out.subarray(p * PS, (p + 1) * PS));
  }
  return out;
}

function runsOf(prot: Uint8Array): { start: number; end: number; protection: Protection }[] {
  const out: { start: number; end: number; protection: Protection }[] = [];
  for (let p = 0; p < PAGES; p++) {
    if (prot[p] === NONE) continue;
    const protection: Protection = prot[p] === RO ? "read-only" : "read-write";
    const last = out[out.length - 1];
    if (last !== undefined && last.end === p * PS && last.protection === protection) last.end += PS;
    else out.push({ start: p * PS, end: (p + 1) * PS, protection });
  }
  return out;
}

/**
 * The fault class a write to `[a, a + n)` would throw in the model, or null.
 * A frozen space refuses before its mappings are looked at (ProtectionFault
 * even on an unmapped page), as every write path of the core does; otherwise
 * the first page that is not writable decides.
 */
function writeFault(m: M, a: number, n: number): typeof ProtectionFault | typeof SegmentationFault | null {
  if (n === 0) return null;
  if (a < 0 || a + n > SIZE) return SegmentationFault;
  if (m.frozen) return ProtectionFault;
  // the first bad page decides, as the first byte a write would fault on
  for (let p = Math.floor(a / PS); p <= Math.floor((a + n - 1) / PS); p++) {
    if (m.prot[p] === NONE) return SegmentationFault;
    if (m.prot[p] === RO) return ProtectionFault;
  }
  return null;
}
function readFault(m: M, a: number, n: number): boolean {
  if (n === 0) return false;
  if (a < 0 || a + n > SIZE) return true;
  for (let p = Math.floor(a / PS); p <= Math.floor((a + n - 1) / PS); p++) if (m.prot[p] === NONE) return true;
  return false;
}

describe("review28: engine model (mappings, bulk writes, forks, share/attach, transfer, diff)", () => {
  it("every space reads as its model; refusals change nothing; nothing leaks", () => {
    fc.assert(
      fc.property(fc.array(cmdArb, { minLength: 1, maxLength: 50 }), (cmds) => {
        // a small first slab: a shared pool's default 16 MiB one made each run slow under load
        const pool = new FramePool({ shared: true, pageSize: PS, firstSlabBytes: 1 << 16 });
        const first: M = {
          space: new AddressSpace({ size: SIZE, pool }),
          bytes: new Uint8Array(SIZE),
          prot: new Uint8Array(PAGES).fill(RW),
          frozen: false,
        };
        const spaces: M[] = [first];
        const handles: SharedSpaceHandle[] = [];
        const attached: M[] = []; // attached versions and their forks (other pools)
        const pick = (i: number): M | undefined => spaces[i % Math.max(spaces.length, 1)];
        for (const cmd of cmds) {
          if (cmd.c === "attached") {
            if (attached.length === 0) continue;
            const k = cmd.k % attached.length;
            const a = attached[k] as M;
            expect(bytesOf(a.space, a.prot)).toEqual(a.bytes);
            if (cmd.op === "release") {
              a.space.release();
              attached.splice(k, 1);
            } else if ((cmd.op === "discard" || cmd.op === "unmap") && !a.frozen) {
              // a fork of an attached version drops pages of the owner's frames: the owner's
              // version and every other fork must keep them (checked below for all)
              const p = cmd.k % PAGES;
              if (cmd.op === "unmap") {
                a.space.unmap(p * PS, PS);
                a.prot[p] = NONE;
              } else if (a.prot[p] === RW) a.space.discard(p * PS, PS);
              else continue;
              a.bytes.fill(0, p * PS, (p + 1) * PS);
              for (const x of attached) expect(bytesOf(x.space, x.prot)).toEqual(x.bytes);
            } else if (cmd.op === "transfer") {
              // a copy of an attached version (or of its fork, in the view pool) has its bytes and mappings
              const t = AddressSpace.attach(a.space.transferCopy());
              expect(t.mappings()).toEqual(runsOf(a.prot));
              expect(bytesOf(t, a.prot)).toEqual(a.bytes);
              t.release();
            } else if (cmd.op === "fork") {
              const f = a.space.fork();
              expect(f.frozen).toBe(false);
              // a fork of an attached version is private and writable where mapped read-write
              const p = a.prot.indexOf(RW);
              const b = a.bytes.slice();
              if (p >= 0) {
                f.fill(0xee, p * PS, p * PS + 3);
                b.fill(0xee, p * PS, p * PS + 3);
              }
              expect(bytesOf(a.space, a.prot)).toEqual(a.bytes);
              attached.push({ space: f, bytes: b, prot: a.prot.slice(), frozen: false });
            }
            continue;
          }
          if (cmd.c === "release") {
            if (spaces.length === 0) continue;
            const k = cmd.i % spaces.length;
            (spaces[k] as M).space.release();
            spaces.splice(k, 1);
            continue;
          }
          const m = pick(cmd.i);
          if (m === undefined) continue;
          const s = m.space;
          const before = spaces.map((x) => bytesOf(x.space, x.prot));
          const poolBefore = pool.stats();
          let expected: typeof ProtectionFault | typeof SegmentationFault | typeof InvalidArgumentError | null = null;
          let apply: () => void = () => {};
          const run = (): void => {
            switch (cmd.c) {
              case "fork": {
                const f = s.fork();
                spaces.push({ space: f, bytes: m.bytes.slice(), prot: m.prot.slice(), frozen: false });
                return;
              }
              case "write": {
                const src = bytes(cmd.seed, cmd.len);
                const at = Math.min(cmd.at, SIZE - cmd.len);
                expected = writeFault(m, at, cmd.len);
                apply = () => m.bytes.set(src, at);
                s.write(at, src);
                return;
              }
              case "fill": {
                const end = Math.min(cmd.start + cmd.len, SIZE);
                expected = writeFault(m, cmd.start, end - cmd.start);
                apply = () => m.bytes.fill(cmd.v, cmd.start, end);
                s.fill(cmd.v, cmd.start, end);
                return;
              }
              case "copyWithin": {
                const len = Math.min(cmd.len, SIZE - cmd.s, SIZE - cmd.t);
                // the source is checked first (a read), then the target (a write)
                expected = readFault(m, cmd.s, len) ? SegmentationFault : writeFault(m, cmd.t, len);
                apply = () => m.bytes.copyWithin(cmd.t, cmd.s, cmd.s + len);
                s.copyWithin(cmd.t, cmd.s, cmd.s + len);
                return;
              }
              case "f64": {
                expected = writeFault(m, cmd.at * 8, 8);
                apply = () => new DataView(m.bytes.buffer).setFloat64(cmd.at * 8, cmd.v, true);
                s.setFloat64(cmd.at * 8, cmd.v);
                return;
              }
              case "span": {
                const n = Math.min(cmd.n, SIZE / 4 - cmd.at);
                expected = writeFault(m, cmd.at * 4, n * 4);
                apply = () => {
                  const dv = new DataView(m.bytes.buffer);
                  for (let k = 0; k < n; k++) dv.setUint32((cmd.at + k) * 4, (cmd.v + k) >>> 0, true);
                };
                // The cursor faults each page in as it reaches it: check the whole range first, as a caller must
                s.checkWritable(cmd.at * 4, n * 4);
                let k = 0;
                for (const c = s.spans(Uint32Array, cmd.at * 4, n, "write"); c.next(); )
                  for (let j = c.start; j < c.end; j++) c.array[j] = (cmd.v + k++) >>> 0;
                return;
              }
              case "view": {
                expected = readFault(m, cmd.at * 2, 2) ? SegmentationFault : writeFault(m, cmd.at * 2, 2);
                apply = () => new DataView(m.bytes.buffer).setUint16(cmd.at * 2, cmd.v, true);
                const v = s.view(Uint16Array, cmd.at * 2, 1);
                v[0] = cmd.v;
                return;
              }
              case "discard":
              case "unmap":
              case "map":
              case "ro":
              case "rw": {
                const n = Math.min(cmd.n, PAGES - cmd.page);
                const a = cmd.page * PS;
                const len = n * PS;
                const pages = [...m.prot.subarray(cmd.page, cmd.page + n)];
                if (m.frozen) expected = ProtectionFault;
                else if (cmd.c === "discard") expected = writeFault(m, a, len);
                else if (cmd.c === "map") expected = pages.some((p) => p !== NONE) ? InvalidArgumentError : null;
                else if (cmd.c === "ro" || cmd.c === "rw") expected = pages.includes(NONE) ? SegmentationFault : null;
                apply = () => {
                  if (cmd.c === "discard" || cmd.c === "unmap" || cmd.c === "map") m.bytes.fill(0, a, a + len);
                  if (cmd.c === "unmap") m.prot.fill(NONE, cmd.page, cmd.page + n);
                  if (cmd.c === "map" || cmd.c === "rw") m.prot.fill(RW, cmd.page, cmd.page + n);
                  if (cmd.c === "ro") m.prot.fill(RO, cmd.page, cmd.page + n);
                };
                if (cmd.c === "discard") s.discard(a, len);
                else if (cmd.c === "unmap") s.unmap(a, len);
                else if (cmd.c === "map") s.map(a, len, "read-write");
                else s.protect(a, len, cmd.c === "ro" ? "read-only" : "read-write");
                return;
              }
              case "freeze":
                apply = () => {
                  m.frozen = true;
                };
                s.freeze();
                return;
              case "share": {
                const h = s.share();
                if (cmd.attach)
                  attached.push({
                    space: AddressSpace.attach(h),
                    bytes: m.bytes.slice(),
                    prot: m.prot.slice(),
                    frozen: true,
                  });
                else handles.push(h);
                return;
              }
              case "transfer": {
                const t = AddressSpace.attach(s.transferCopy());
                expect(t.frozen).toBe(true);
                expect(t.mappings()).toEqual(runsOf(m.prot));
                expect(bytesOf(t, m.prot)).toEqual(m.bytes);
                t.release();
                return;
              }
              case "diff": {
                const o = pick(cmd.j) as M;
                const want: number[] = [];
                for (let p = 0; p < PAGES; p++) {
                  const x = m.bytes.subarray(p * PS, (p + 1) * PS);
                  const y = o.bytes.subarray(p * PS, (p + 1) * PS);
                  if (x.some((b, q) => b !== y[q])) want.push(p * PS);
                }
                expect(s.diff(o.space)).toEqual(want);
                const frames = s.diff(o.space, { compare: "frames" });
                for (const w of want) expect(frames).toContain(w);
                return;
              }
            }
          };
          let caught: unknown = null;
          try {
            run();
          } catch (e) {
            caught = e;
          }
          const where = JSON.stringify(cmd);
          if (caught !== null) {
            if (expected === null || !(caught instanceof expected)) throw caught;
            // nothing changed
            expect(
              spaces.map((x) => bytesOf(x.space, x.prot)),
              where,
            ).toEqual(before);
            expect(pool.stats(), where).toEqual(poolBefore);
          } else {
            expect(expected, `${where} should have thrown`).toBe(null);
            apply();
          }
          for (const x of spaces) {
            expect(bytesOf(x.space, x.prot), where).toEqual(x.bytes);
            expect(x.space.mappings(), where).toEqual(runsOf(x.prot));
            const st = x.space.stats();
            expect(st.uss).toBeLessThanOrEqual(st.pss);
            expect(st.pss).toBeLessThanOrEqual(st.rss);
            expect(st.mappedBytes).toBe(runsOf(x.prot).reduce((t, r) => t + r.end - r.start, 0));
          }
          for (const a of attached) expect(bytesOf(a.space, a.prot), `${where} (attached)`).toEqual(a.bytes);
          const ps = pool.stats();
          if (ps.sharedHandles === 0) {
            expect(
              spaces.reduce((t, x) => t + x.space.stats().pss, 0),
              where,
            ).toBe(ps.bytesInUse);
            expect(ps.spaces).toBe(spaces.length);
          }
          expect(ps.committedBytes).toBeGreaterThanOrEqual(spaces.reduce((t, x) => t + x.space.stats().mappedBytes, 0));
        }
        for (const h of handles) {
          try {
            pool.unshare(h);
          } catch (e) {
            if (!(e instanceof Error && e.name === "InvalidHandleError")) throw e;
          }
        }
        for (const a of attached) a.space.release();
        for (const x of spaces) x.space.release();
        expect(pool.stats()).toMatchObject({
          framesInUse: 0,
          pageTableNodes: 0,
          spaces: 0,
          sharedHandles: 0,
          committedBytes: 0,
        });
      }),
      { numRuns: Number(process.env.REVIEW28_RUNS ?? 40) },
    );
  });
});
