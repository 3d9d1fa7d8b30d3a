/**
 * The trace player's state, outside React: the trace, its replay into a
 * `CowText` with one fork per edit, and every version kept in a core
 * `History`. Components read it through `useSyncExternalStore`
 * (subscribe/getState), so StrictMode's double effects cannot start a second
 * replay.
 *
 * @module
 */
import { AddressSpace, FramePool, History } from "@pagefork/core";
import { CowText, TEXT_PAGE_SIZE } from "@pagefork/string";
import { describeEdit } from "../../../undo-redo/src/trace.js";
import { canShare } from "../worker/stats-client.js";
import { yieldToEventLoop } from "../yield.js";
import { type EditScript, loadTrace } from "./load-trace.js";

/** Where the session is: fetching and validating, replaying, finished, or failed. */
export type ReplayPhase = "idle" | "loading" | "replaying" | "done" | "failed";

/** Speed of a finished replay. */
export interface ReplayTiming {
  /** Seconds spent replaying (every edit, its fork and its commit), yields excluded. */
  readonly workSeconds: number;
  /** Seconds from the first edit to the last, yields and progress-bar renders included. */
  readonly wallSeconds: number;
  /** `edits / workSeconds`: edits per second, one fork per edit included. */
  readonly editsPerSecond: number;
  /** Chunks the replay was cut into (one yield to the event loop after each). */
  readonly chunks: number;
}

/** A snapshot of the session's progress; a new object whenever something changes. */
export interface ReplayState {
  readonly phase: ReplayPhase;
  /** Edits in the trace (0 until it is loaded). */
  readonly edits: number;
  /** Edits replayed so far. */
  readonly replayed: number;
  /** Seconds to fetch, gunzip, parse and validate the trace. */
  readonly loadSeconds: number;
  /** Set when the replay finished. */
  readonly timing: ReplayTiming | null;
  /** What went wrong, when `phase` is `"failed"`. */
  readonly error: string | null;
}

/** Milliseconds of replay per chunk before yielding: short enough for a smooth bar, long enough to amortise the yield. */
export const CHUNK_MILLISECONDS = 12;

/** Edits between two clock reads inside a chunk (a clock read costs about as much as an edit). */
const EDITS_PER_CLOCK_READ = 256;

/** One edit of the trace, in UTF-16 code units. */
export interface Edit {
  readonly pos: number;
  readonly del: number;
  readonly ins: string;
}

const INITIAL: ReplayState = {
  phase: "idle",
  edits: 0,
  replayed: 0,
  loadSeconds: 0,
  timing: null,
  error: null,
};

/**
 * Loads a trace and replays it, keeping version `v` (the document after `v`
 * edits) for every `v` from 0 to the number of edits.
 */
export class TraceSession {
  /**
   * The frame pool of every version: 256 B pages, no FinalizationRegistry (the
   * history releases its versions), its slabs SharedArrayBuffers where the page
   * is cross-origin isolated, so a worker can read versions in place.
   */
  readonly pool: FramePool;
  private script_: EditScript | null = null;
  private history: History<CowText> | null = null;
  /** A never-written space of the same pool: `diff` against it lists a version's pages. */
  private empty_: AddressSpace | null = null;
  private state: ReplayState = INITIAL;
  private readonly listeners = new Set<() => void>();

  constructor() {
    this.pool = new FramePool({ pageSize: TEXT_PAGE_SIZE, reclaimDropped: false, shared: canShare() });
  }

  /** Subscribes to state changes; returns the unsubscribe function (for `useSyncExternalStore`). */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The current {@link ReplayState} (for `useSyncExternalStore`). */
  readonly getState = (): ReplayState => this.state;

  /** The validated trace, once loaded. */
  get script(): EditScript | null {
    return this.script_;
  }

  /** Number of versions kept: edits + 1 once the replay is done, else 0. */
  get versions(): number {
    return this.state.phase === "done" && this.history !== null ? this.history.size : 0;
  }

  /**
   * Version `v`: the document after `v` edits. Owned by the session: read it,
   * never edit or release it.
   * @throws {RangeError} before the replay is done, or for `v` outside `0..edits`.
   */
  version(v: number): CowText {
    const text = this.state.phase === "done" ? this.history?.at(v) : undefined;
    if (text === undefined)
      throw new RangeError(`version ${v} is not available (replay ${this.state.phase}, ${this.versions} versions)`);
    return text;
  }

  /** Edit `i` (0-based): the edit that turned version `i` into version `i + 1`. */
  edit(i: number): Edit {
    const s = this.script_;
    if (s === null || !Number.isInteger(i) || i < 0 || i >= s.edits) throw new RangeError(`no edit ${i}`);
    return { pos: s.pos[i] as number, del: s.del[i] as number, ins: s.ins[i] as string };
  }

  /** A space of the pool that maps nothing (for listing a version's pages with `diff`). */
  get emptySpace(): AddressSpace {
    this.empty_ ??= new AddressSpace({ size: this.version(0).space.size, pool: this.pool });
    return this.empty_;
  }

  /**
   * Fetches the trace at `url`, then replays it in chunks of
   * {@link CHUNK_MILLISECONDS}, yielding to the event loop between chunks so
   * the page stays responsive. Call once. Failures end in phase `"failed"`
   * with the message in `error` (nothing is thrown).
   */
  async run(url: string): Promise<void> {
    if (this.state.phase !== "idle") throw new Error("TraceSession.run() was already called");
    this.set({ phase: "loading" });
    try {
      const t0 = performance.now();
      const script = await loadTrace(url);
      this.script_ = script;
      this.set({ phase: "replaying", edits: script.edits, loadSeconds: (performance.now() - t0) / 1000 });
      await yieldToEventLoop();
      const timing = await this.replay(script);
      this.set({ phase: "done", replayed: script.edits, timing });
    } catch (e) {
      this.set({ phase: "failed", error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  }

  /** Releases every version and the empty space (the pool then holds no frames). */
  release(): void {
    this.history?.release();
    this.empty_?.release();
    this.history = null;
    this.empty_ = null;
  }

  /**
   * The replay loop of examples/undo-redo (`replayWithHistory`), cut into
   * chunks: per edit, `text = text.fork()`, one delete and/or insert on the
   * new fork, `history.commit(text)`. The fork is the side edited, so the
   * kept versions hold no TLB and version v's fault counters are edit v's.
   */
  private async replay(script: EditScript): Promise<ReplayTiming> {
    const { pos, del, ins, edits } = script;
    let text = new CowText({ pool: this.pool });
    if (script.startContent.length > 0) text.insert(0, script.startContent);
    const history = new History(text);
    let i = 0;
    let work = 0;
    let chunks = 0;
    const wall0 = performance.now();
    try {
      while (i < edits) {
        const t0 = performance.now();
        const deadline = t0 + CHUNK_MILLISECONDS;
        do {
          const end = Math.min(edits, i + EDITS_PER_CLOCK_READ);
          for (; i < end; i++) {
            text = text.fork();
            const p = pos[i] as number;
            const d = del[i] as number;
            const s = ins[i] as string;
            if (d !== 0) text.delete(p, d);
            if (s.length !== 0) text.insert(p, s);
            history.commit(text);
          }
        } while (i < edits && performance.now() < deadline);
        work += performance.now() - t0;
        chunks++;
        this.set({ replayed: i });
        await yieldToEventLoop();
      }
    } catch (e) {
      // The failed fork was not committed; release it so the pool stays balanced.
      if (text !== history.current) text.release();
      history.release();
      throw new Error(`${describeEdit(script, i)} failed: ${(e as Error).message}`, { cause: e });
    }
    this.history = history;
    const workSeconds = work / 1000;
    return {
      workSeconds,
      wallSeconds: (performance.now() - wall0) / 1000,
      editsPerSecond: edits / workSeconds,
      chunks,
    };
  }

  private set(patch: Partial<ReplayState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }
}
