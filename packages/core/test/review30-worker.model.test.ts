/**
 * Review 30: sharing with a real worker_threads reader, as a model-based test
 * (fast-check commands; a failure prints a replayable command list). The
 * owner writes, forks, fills every page (so its pool grows new slabs and a
 * larger node arena after versions were shared), discards pages, unmaps and
 * maps them again, changes protections, releases its live version and old
 * forks, shares and unshares, and sends transferCopy()s; the worker attaches handles (any time
 * after share(): after the owner wrote on, released the version or grew its
 * slabs), reads them, forks them, writes its forks, and releases in any order.
 * Every version, on either side, reads as its Uint8Array model (copied at
 * share and fork time); a write to an attached version is a ProtectionFault;
 * an attach of an unshared handle is refused as "released"; a view pool with
 * no space left holds no frame; and after both sides released everything the
 * owner's pool holds no frame, pin, space, charge or page-table node.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AddressSpace, FramePool, type SharedSpaceHandle } from "../src/index.js";
import { type Reader, spawnReader } from "./support/workers.js";

const PAGE = 256;
const PAGES = 12;
const SIZE = PAGES * PAGE;

interface Real {
  pool: FramePool;
  live: AddressSpace;
  model: Uint8Array;
  kept: { space: AddressSpace; model: Uint8Array }[];
  pending: { h: SharedSpaceHandle; model: Uint8Array }[];
  /** Spaces in the worker by key: attached versions (read-only) and their forks. */
  remote: Map<number, { model: Uint8Array; readOnly: boolean }>;
  nextKey: number;
}

let reader: Reader;
beforeAll(async () => {
  reader = await spawnReader();
});
afterAll(async () => {
  await reader.terminate();
});

type Cmd = fc.AsyncCommand<object, Real>;

const pick = <T>(xs: T[], k: number): T | undefined => (xs.length === 0 ? undefined : xs[k % xs.length]);
const keyOf = (r: Real, k: number): number | undefined => pick([...r.remote.keys()], k);

class OwnerWrite implements Cmd {
  constructor(
    readonly at: number,
    readonly v: number,
  ) {}
  check = () => true;
  async run(_: object, r: Real) {
    r.live.setUint8(this.at, this.v);
    r.model[this.at] = this.v;
  }
  toString = () => `OwnerWrite(${this.at}, ${this.v})`;
}

class OwnerFill implements Cmd {
  constructor(readonly v: number) {}
  check = () => true;
  async run(_: object, r: Real) {
    // A write on every page: after a fork or a share, each copies a page (new frames, new slabs).
    for (let p = 0; p < PAGES; p++) {
      r.live.setUint8(p * PAGE + (this.v % PAGE), this.v);
      r.model[p * PAGE + (this.v % PAGE)] = this.v;
    }
  }
  toString = () => `OwnerFill(${this.v})`;
}

/** The owner discards pages of its live version (they read as zero again): a pinned version keeps them. */
class OwnerDiscard implements Cmd {
  constructor(
    readonly page: number,
    readonly pages: number,
  ) {}
  check = () => true;
  async run(_: object, r: Real) {
    const n = Math.min(this.pages, PAGES - this.page) * PAGE;
    r.live.discard(this.page * PAGE, n);
    r.model.fill(0, this.page * PAGE, this.page * PAGE + n);
  }
  toString = () => `OwnerDiscard(${this.page}, ${this.pages})`;
}

/** The owner unmaps a page and maps it again (zero), then makes another read-only and writable again: new mapping lists. */
class OwnerRemap implements Cmd {
  constructor(
    readonly page: number,
    readonly other: number,
  ) {}
  check = () => true;
  async run(_: object, r: Real) {
    r.live.unmap(this.page * PAGE, PAGE);
    r.live.map(this.page * PAGE, PAGE);
    r.model.fill(0, this.page * PAGE, this.page * PAGE + PAGE);
    r.live.protect(this.other * PAGE, PAGE, "read-only");
    r.live.protect(this.other * PAGE, PAGE, "read-write");
  }
  toString = () => `OwnerRemap(${this.page}, ${this.other})`;
}

/** The owner sends a transferCopy() of its live version; the worker rebuilds it (read-only, in a pool of its own). */
class WorkerCopy implements Cmd {
  check = () => true;
  async run(_: object, r: Real) {
    const copy = r.live.transferCopy();
    const key = r.nextKey++;
    await reader.call({ op: "attach-copy", key, copy }, [copy.bytes]);
    r.remote.set(key, { model: r.model.slice(), readOnly: true });
  }
  toString = () => "WorkerCopy()";
}

class OwnerFork implements Cmd {
  check = () => true;
  async run(_: object, r: Real) {
    r.kept.push({ space: r.live, model: r.model.slice() });
    r.live = r.live.fork();
  }
  toString = () => "OwnerFork()";
}

class OwnerReleaseKept implements Cmd {
  constructor(readonly k: number) {}
  check = () => true;
  async run(_: object, r: Real) {
    if (r.kept.length === 0) return;
    const [x] = r.kept.splice(this.k % r.kept.length, 1);
    expect(bytesOf(x!.space)).toEqual(x!.model);
    x!.space.release();
  }
  toString = () => `OwnerReleaseKept(${this.k})`;
}

class OwnerReleaseLive implements Cmd {
  check = () => true;
  async run(_: object, r: Real) {
    r.live.release(); // its shared versions stay pinned
    r.live = new AddressSpace({ size: SIZE, pool: r.pool });
    r.model = new Uint8Array(SIZE);
  }
  toString = () => "OwnerReleaseLive()";
}

class Share implements Cmd {
  check = () => true;
  async run(_: object, r: Real) {
    r.pending.push({ h: r.live.share(), model: r.model.slice() });
  }
  toString = () => "Share()";
}

class Unshare implements Cmd {
  constructor(readonly k: number) {}
  check = () => true;
  async run(_: object, r: Real) {
    if (r.pending.length === 0) return;
    const [x] = r.pending.splice(this.k % r.pending.length, 1);
    r.pool.unshare(x!.h);
    await expect(reader.call({ op: "attach", key: -1, handle: x!.h })).rejects.toMatchObject({
      name: "InvalidHandleError",
      reason: "released",
    });
  }
  toString = () => `Unshare(${this.k})`;
}

class Attach implements Cmd {
  constructor(readonly k: number) {}
  check = () => true;
  async run(_: object, r: Real) {
    if (r.pending.length === 0) return;
    const [x] = r.pending.splice(this.k % r.pending.length, 1);
    const key = r.nextKey++;
    await reader.call({ op: "attach", key, handle: x!.h });
    r.remote.set(key, { model: x!.model, readOnly: true });
    expect(await reader.call({ op: "bytes", key })).toEqual(x!.model);
  }
  toString = () => `Attach(${this.k})`;
}

class WorkerRead implements Cmd {
  constructor(readonly k: number) {}
  check = () => true;
  async run(_: object, r: Real) {
    const key = keyOf(r, this.k);
    if (key === undefined) return;
    expect(await reader.call({ op: "bytes", key })).toEqual(r.remote.get(key)!.model);
  }
  toString = () => `WorkerRead(${this.k})`;
}

class WorkerFork implements Cmd {
  constructor(readonly k: number) {}
  check = () => true;
  async run(_: object, r: Real) {
    const key = keyOf(r, this.k);
    if (key === undefined) return;
    const into = r.nextKey++;
    await reader.call({ op: "fork", key, into });
    r.remote.set(into, { model: r.remote.get(key)!.model.slice(), readOnly: false });
  }
  toString = () => `WorkerFork(${this.k})`;
}

class WorkerWrite implements Cmd {
  constructor(
    readonly k: number,
    readonly at: number,
    readonly v: number,
  ) {}
  check = () => true;
  async run(_: object, r: Real) {
    const key = keyOf(r, this.k);
    if (key === undefined) return;
    const x = r.remote.get(key)!;
    const call = reader.call({ op: "set8", key, addr: this.at, value: this.v });
    if (x.readOnly) await expect(call).rejects.toMatchObject({ name: "ProtectionFault" });
    else {
      await call;
      x.model[this.at] = this.v;
    }
  }
  toString = () => `WorkerWrite(${this.k}, ${this.at}, ${this.v})`;
}

class WorkerRelease implements Cmd {
  constructor(readonly k: number) {}
  check = () => true;
  async run(_: object, r: Real) {
    const key = keyOf(r, this.k);
    if (key === undefined) return;
    expect(await reader.call({ op: "bytes", key })).toEqual(r.remote.get(key)!.model);
    const after = (await reader.call({ op: "release-stats", key })) as { framesInUse: number; spaces: number };
    r.remote.delete(key);
    // A view pool with no space left holds no local frame.
    if (after.spaces === 0) expect(after.framesInUse).toBe(0);
  }
  toString = () => `WorkerRelease(${this.k})`;
}

class OwnerCheck implements Cmd {
  check = () => true;
  async run(_: object, r: Real) {
    expect(bytesOf(r.live)).toEqual(r.model);
    for (const x of r.kept) expect(bytesOf(x.space)).toEqual(x.model);
  }
  toString = () => "OwnerCheck()";
}

function bytesOf(space: AddressSpace): Uint8Array {
  const out = new Uint8Array(space.size);
  space.read(0, out);
  return out;
}

const commands = fc.commands(
  [
    fc.tuple(fc.nat(SIZE - 1), fc.integer({ min: 1, max: 255 })).map(([a, v]) => new OwnerWrite(a, v)),
    fc.integer({ min: 1, max: 255 }).map((v) => new OwnerFill(v)),
    fc.constant(new OwnerFork()),
    fc.tuple(fc.nat(PAGES - 1), fc.integer({ min: 1, max: 3 })).map(([p, n]) => new OwnerDiscard(p, n)),
    fc.tuple(fc.nat(PAGES - 1), fc.nat(PAGES - 1)).map(([p, o]) => new OwnerRemap(p, o)),
    fc.constant(new WorkerCopy()),
    fc.nat().map((k) => new OwnerReleaseKept(k)),
    fc.constant(new OwnerReleaseLive()),
    fc.constant(new Share()),
    fc.constant(new Share()),
    fc.nat().map((k) => new Unshare(k)),
    fc.nat().map((k) => new Attach(k)),
    fc.nat().map((k) => new Attach(k)),
    fc.nat().map((k) => new WorkerRead(k)),
    fc.nat().map((k) => new WorkerFork(k)),
    fc.tuple(fc.nat(), fc.nat(SIZE - 1), fc.integer({ min: 1, max: 255 })).map(([k, a, v]) => new WorkerWrite(k, a, v)),
    fc.nat().map((k) => new WorkerRelease(k)),
    fc.constant(new OwnerCheck()),
  ],
  { maxCommands: 40 },
);

describe("sharing with a worker thread against Uint8Array models", () => {
  it("owner and worker interleave writes, forks, shares, attaches and releases; nothing leaks", async () => {
    await fc.assert(
      fc.asyncProperty(commands, async (cmds) => {
        // Small slabs (4, 4, 8, 8... pages): the owner's pool grows new slabs as it goes.
        const pool = new FramePool({ shared: true, pageSize: PAGE, firstSlabBytes: 4 * PAGE, slabBytes: 8 * PAGE });
        const real: Real = {
          pool,
          live: new AddressSpace({ size: SIZE, pool }),
          model: new Uint8Array(SIZE),
          kept: [],
          pending: [],
          remote: new Map(),
          nextKey: 1,
        };
        await fc.asyncModelRun(() => ({ model: {}, real }), cmds);
        // Release everything: the worker's spaces in the order they were made (versions before their forks).
        while (real.remote.size > 0) await new WorkerRelease(0).run({}, real);
        for (const x of real.pending) pool.unshare(x.h);
        for (const x of real.kept) x.space.release();
        real.live.release();
        for (let i = 0; i < 200 && pool.stats().sharedHandles > 0; i++) await new Promise((res) => setTimeout(res, 5));
        expect(pool.stats()).toMatchObject({
          framesInUse: 0,
          sharedHandles: 0,
          spaces: 0,
          committedBytes: 0,
          pageTableNodes: 0,
        });
      }),
      // REVIEW30_RUNS sets the runs; PAGEFORK_TEST_RUNS_SCALE=10 multiplies them (a soak).
      { numRuns: Number(process.env.REVIEW30_RUNS ?? 100) * Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1) },
    );
  }, 600_000);
});
