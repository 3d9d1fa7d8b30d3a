/**
 * The page's side of the statistics worker: shares the version asked for
 * (`text.share()`, O(1), no copy) and posts the handle; keeps one request in
 * flight and, while it runs, only the newest request waiting, so repeated
 * clicks never queue work. Components read the last answer through
 * `useSyncExternalStore` (subscribe/getState).
 *
 * Sharing needs the page to be cross-origin isolated (COOP/COEP headers, see
 * vite.config.ts), as SharedArrayBuffer does; without it the panel says so.
 *
 * @module
 */
import type { CowText } from "@pagefork/string";
import type { StatsReply, StatsRequest } from "./stats.worker.js";

/** What the panel shows. */
export type WorkerStatsState =
  | { readonly status: "unavailable"; readonly reason: string }
  | { readonly status: "idle" }
  | { readonly status: "ready"; readonly reply: StatsReply };

/** True where versions can be shared with a worker: SharedArrayBuffer and cross-origin isolation. */
export function canShare(): boolean {
  return typeof SharedArrayBuffer === "function" && globalThis.crossOriginIsolated === true;
}

export class WorkerStats {
  private worker: Worker | null = null;
  private busy = false;
  private waiting: { version: number; text: CowText } | null = null;
  private state: WorkerStatsState = canShare()
    ? { status: "idle" }
    : {
        status: "unavailable",
        reason:
          "this page is not cross-origin isolated (it needs the headers Cross-Origin-Opener-Policy: same-origin " +
          "and Cross-Origin-Embedder-Policy: require-corp), so versions cannot be shared with a worker",
      };
  private readonly listeners = new Set<() => void>();

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getState = (): WorkerStatsState => this.state;

  /** Asks for the statistics of `text` (version `version`); the newest request wins. */
  request(version: number, text: CowText): void {
    if (this.state.status === "unavailable") return;
    this.waiting = { version, text };
    if (!this.busy) this.next();
  }

  /** Stops the worker (its pins are dropped by the pool when it released them; a killed worker's stay until the page closes). */
  terminate(): void {
    this.worker?.terminate();
    this.worker = null;
  }

  private next(): void {
    const job = this.waiting;
    if (job === null) return;
    this.waiting = null;
    this.worker ??= this.start();
    this.busy = true;
    const request: StatsRequest = { version: job.version, handle: job.text.share() };
    this.worker.postMessage(request);
  }

  private start(): Worker {
    const w = new Worker(new URL("./stats.worker.ts", import.meta.url), { type: "module" });
    w.onmessage = (e: MessageEvent<StatsReply>) => {
      this.busy = false;
      this.state = { status: "ready", reply: e.data };
      for (const l of this.listeners) l();
      this.next();
    };
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.busy = false;
      this.state = { status: "ready", reply: { version: -1, error: `worker failed: ${e.message}` } };
      for (const l of this.listeners) l();
    };
    return w;
  }
}
