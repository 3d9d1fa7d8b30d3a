/**
 * W10's thread plumbing: a reader thread with a queue of its replies, and the
 * main thread's sum loops (the same loops as the reader's, in w10-reader.mjs).
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import type { CowFloat64Array } from "@pagefork/array";

/** A reply of w10-reader.mjs. */
export interface Reply {
  op: string;
  /** `take`: ns the worker spent in `attachShared` (0 for a copy: it arrived whole). */
  attachNs?: number;
  /** `take`: `process.hrtime` (ns) when the worker held the snapshot. */
  heldAt?: number;
  /** `sum`: the sum of the worker's part. */
  sum?: number;
  /** `sum`: ns the worker spent in its sum loop. */
  ns?: number;
}

/** A reader thread and a queue of its replies. */
export class Reader {
  readonly worker: Worker;
  private readonly waiting: ((r: Reply) => void)[] = [];
  constructor() {
    this.worker = new Worker(new URL("./w10-reader.mjs", import.meta.url));
    this.worker.on("message", (r: Reply) => this.waiting.shift()?.(r));
    this.worker.on("error", (e) => {
      throw e;
    });
  }
  next(): Promise<Reply> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  async call(msg: object, transfer?: ArrayBuffer[]): Promise<Reply> {
    const p = this.next();
    this.worker.postMessage(msg, transfer ?? []);
    return p;
  }
}

// Top-level loops taking their inputs as parameters (as in W2): a loop inside
// the async run() compiled far worse (an order of magnitude, measured).

/** Sum of the first `n` elements of `a`, one page span at a time (a plain indexed loop per page). */
export function sumSpans(a: CowFloat64Array, n: number): number {
  let s = 0;
  const c = a.space.spans(Float64Array, a.byteOffset, n);
  while (c.next()) {
    const x = c.array;
    for (let j = c.start, e = c.end; j < e; j++) s += x[j] as number;
  }
  return s;
}

/** Sum of the first `n` elements of a Float64Array. */
export function sumNative(a: Float64Array, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += a[j] as number;
  return s;
}

/** The median of `xs` (the upper one of an even count). */
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

/** `process.hrtime` in ns, as a number (exact: below 2^53 for 104 days of uptime). */
export const now = (): number => Number(process.hrtime.bigint());

/** Elapsed ms since `t0` (from {@link now}). */
export const msSince = (t0: number): number => (now() - t0) / 1e6;
