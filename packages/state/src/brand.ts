/**
 * Recognising the library's own views and drafts among plain values, without
 * `instanceof` across copies of the package: every view and draft answers
 * the registered symbol `NODE` with its node record (Proxies through their
 * `get` trap, the Map/Set/text classes through a prototype getter).
 *
 * @module
 */
import type { Ctx } from "./containers.js";
import type { AnyType } from "./schema.js";

/** Key under which views and drafts expose their node record. */
export const NODE: unique symbol = Symbol.for("@pagefork/state.node") as never;

/** What every view and draft record has. */
export interface NodeRecord {
  /** True for drafts, false for read-only views. */
  readonly isDraft: boolean;
  /** The node's schema type (without nullable wrappers). */
  readonly type: AnyType;
  /** Byte address of the node in its space. */
  readonly addr: number;
  /** Where it reads from now (a draft session, or a version; views may move to another live version). */
  ctx(): Ctx;
}

/** The node record of a view or draft, or undefined for anything else. O(1). */
export function nodeOf(value: unknown): NodeRecord | undefined {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return undefined;
  const r = (value as { [NODE]?: NodeRecord })[NODE];
  return r !== undefined && typeof r === "object" && "isDraft" in r ? r : undefined;
}

/**
 * The record behind `x`: Node's `util.inspect` calls a Proxy target's custom
 * inspector with `this` set to the Proxy, whose `NODE` answers the record.
 */
export function viaProxy<T extends object>(x: T): T {
  return (x as { [NODE]?: T })[NODE] ?? x;
}
