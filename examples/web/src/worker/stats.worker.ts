/**
 * The worker: attaches the version the page shared (no page is copied: it
 * reads the page's SharedArrayBuffer slabs in place), computes its
 * {@link TextStats}, and releases it, which unpins the version.
 *
 * @module
 */
import { CowText, type SharedTextHandle } from "@pagefork/string";
import { type TextStats, textStats } from "./text-stats.js";

/** A request from the page. */
export interface StatsRequest {
  readonly version: number;
  readonly handle: SharedTextHandle;
}

/** The answer: the statistics, or what went wrong. */
export type StatsReply =
  | ({ readonly version: number; readonly attachMs: number; readonly computeMs: number } & TextStats)
  | { readonly version: number; readonly error: string };

self.onmessage = (e: MessageEvent<StatsRequest>) => {
  const { version, handle } = e.data;
  let reply: StatsReply;
  try {
    const t0 = performance.now();
    const text = CowText.attachShared(handle);
    const t1 = performance.now();
    try {
      reply = { version, attachMs: t1 - t0, ...textStats(text.toString()), computeMs: performance.now() - t1 };
    } finally {
      text.release();
    }
  } catch (err) {
    reply = { version, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
  self.postMessage(reply);
};
