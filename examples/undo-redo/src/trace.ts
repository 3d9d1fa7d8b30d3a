/**
 * Editing traces in the sequential format of josephg/editing-traces, and their
 * validation.
 *
 * A trace is `{ startContent, endContent, txns: [{ time, patches: [[pos, delCount,
 * insertText], ...] }] }`. {@link validateTrace} checks one in a single pass that
 * tracks only the document length (never the text), and turns it into an
 * {@link EditScript}: flat typed arrays the replay loop can read without touching
 * the JSON objects again.
 *
 * Positions in the format are Unicode code points; the replay works in UTF-16
 * code units. The two agree as long as no text contains a character above U+FFFF,
 * which holds for every published trace. A trace that breaks this is refused
 * rather than replayed wrongly.
 *
 * @module
 */

/** One patch: at `pos`, delete `delCount` characters, then insert `insertText`. */
export type Patch = readonly [pos: number, delCount: number, insertText: string];

/** One transaction of a trace. Its `time` is unreliable and unused. */
export interface Txn {
  readonly time?: string;
  readonly patches: readonly Patch[];
}

/** A trace in the sequential format, as it appears in the JSON file. */
export interface Trace {
  readonly startContent: string;
  readonly endContent: string;
  readonly txns: readonly Txn[];
}

/**
 * A validated trace, flattened: edit `i` (0-based, in replay order) is patch
 * `patchIndex[i]` of transaction `txnIndex[i]`. Version `v` of the document is
 * the state after `v` edits, so version 0 is `startContent` and version
 * `edits` is `endContent`.
 */
export interface EditScript {
  readonly startContent: string;
  readonly endContent: string;
  /** Number of transactions. */
  readonly txns: number;
  /** Number of edits (patches over all transactions). */
  readonly edits: number;
  /** Position of each edit, in UTF-16 code units. */
  readonly pos: Int32Array;
  /** Characters deleted by each edit. */
  readonly del: Int32Array;
  /** Text inserted by each edit (`""` for a pure delete). */
  readonly ins: readonly string[];
  /** Transaction index of each edit. */
  readonly txnIndex: Int32Array;
  /** Patch index of each edit within its transaction. */
  readonly patchIndex: Int32Array;
  /** `lengths[v]`: document length of version `v`, for `v` in `0..edits`. */
  readonly lengths: Int32Array;
  /** Characters inserted over all edits. */
  readonly insertedChars: number;
  /** Characters deleted over all edits. */
  readonly deletedChars: number;
}

/** Where in a trace a {@link TraceError} was found. */
export interface TraceLocation {
  /** 0-based transaction index. */
  readonly txnIndex: number;
  /** 0-based patch index within the transaction, if the error is in a patch. */
  readonly patchIndex?: number;
  /** The offending patch as found in the file, if the error is in a patch. */
  readonly patch?: unknown;
}

/**
 * A trace that does not follow the format. The message names the first bad
 * place (transaction index, patch index, the patch) and what is wrong with it.
 */
export class TraceError extends Error {
  override readonly name = "TraceError";
  /** What is wrong, without the location. */
  readonly reason: string;
  /** Where, when the error is inside `txns`. */
  readonly location: TraceLocation | undefined;

  constructor(reason: string, location?: TraceLocation) {
    super(location === undefined ? reason : `${describeLocation(location)}: ${reason}`);
    this.reason = reason;
    this.location = location;
  }
}

/** Most characters of a patch or value shown in an error message. */
const SHOW_MAX = 80;

/**
 * Renders a value from the file for an error message, shortened to about
 * {@link SHOW_MAX} characters.
 */
export function showValue(value: unknown): string {
  let s: string;
  if (value === undefined) s = "undefined";
  else if (typeof value === "number" && !Number.isFinite(value)) s = String(value);
  else {
    try {
      s = JSON.stringify(value) ?? String(value);
    } catch {
      s = String(value);
    }
  }
  return s.length > SHOW_MAX ? `${s.slice(0, SHOW_MAX - 1)}…` : s;
}

function describeLocation(loc: TraceLocation): string {
  if (loc.patchIndex === undefined) return `txn ${loc.txnIndex}`;
  return `txn ${loc.txnIndex}, patch ${loc.patchIndex} ${showValue(loc.patch)}`;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number" && !Number.isInteger(value)) return `the number ${showValue(value)}`;
  return typeof value === "object" ? "an object" : `${typeof value} ${showValue(value)}`;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Index of the first UTF-16 surrogate in `s`, or -1. */
function firstSurrogate(s: string): number {
  const m = SURROGATE.exec(s);
  return m === null ? -1 : m.index;
}

function astralReason(what: string, at: number): string {
  return (
    `${what} contains a character above U+FFFF (or a lone surrogate) at UTF-16 offset ${at}; ` +
    "trace positions count code points, this replay counts UTF-16 code units, so they would disagree"
  );
}

/**
 * Checks that `raw` (parsed JSON) is a sequential editing trace that replays
 * cleanly, and flattens it into an {@link EditScript}.
 *
 * One pass over the patches, tracking only the document length: every patch
 * must be an array of exactly 3 elements `[pos, delCount, insertText]` with
 * `pos` and `delCount` non-negative integers, `insertText` a string,
 * `pos <= length`, `pos + delCount <= length`, and the patch must change
 * something. Every transaction needs at least one patch. After the last patch
 * the length must equal `endContent.length`. No text may contain characters
 * above U+FFFF (see the module comment). O(edits + characters inserted).
 *
 * It does not replay the text, so it cannot tell whether `endContent` is the
 * right text, only that it has the right length; the demo's "final text"
 * check does the rest.
 *
 * @param raw - the value `JSON.parse` returned for the trace file.
 * @returns the flattened, validated trace.
 * @throws {TraceError} naming the first problem: for a bad patch, its
 *   transaction index, patch index, the patch itself and what is wrong.
 * @example
 * ```ts
 * const script = validateTrace({ startContent: "", endContent: "hi", txns: [{ patches: [[0, 0, "hi"]] }] });
 * script.edits; // 1
 * ```
 */
export function validateTrace(raw: unknown): EditScript {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new TraceError(`the trace is ${kindOf(raw)}, expected an object { startContent, endContent, txns }`);
  const t = raw as Record<string, unknown>;
  if (!("txns" in t)) throw new TraceError('missing "txns" (expected an array of transactions)');
  const txns = t.txns;
  if (!Array.isArray(txns)) throw new TraceError(`"txns" is ${kindOf(txns)}, expected an array of transactions`);
  if (!("endContent" in t)) throw new TraceError('missing "endContent" (expected the final document text)');
  const endContent = t.endContent;
  if (typeof endContent !== "string") throw new TraceError(`"endContent" is ${kindOf(endContent)}, expected a string`);
  const startContent = t.startContent ?? "";
  if (typeof startContent !== "string")
    throw new TraceError(`"startContent" is ${kindOf(startContent)}, expected a string`);
  let at = firstSurrogate(startContent);
  if (at >= 0) throw new TraceError(astralReason('"startContent"', at));
  at = firstSurrogate(endContent);
  if (at >= 0) throw new TraceError(astralReason('"endContent"', at));

  // First count the edits so the typed arrays are allocated once.
  let edits = 0;
  for (let ti = 0; ti < txns.length; ti++) {
    const txn = txns[ti] as unknown;
    if (txn === null || typeof txn !== "object" || Array.isArray(txn))
      throw new TraceError(`is ${kindOf(txn)}, expected an object { time, patches }`, { txnIndex: ti });
    const patches = (txn as Record<string, unknown>).patches;
    if (patches === undefined)
      throw new TraceError('missing "patches" (expected an array of [pos, delCount, insertText])', { txnIndex: ti });
    if (!Array.isArray(patches))
      throw new TraceError(`"patches" is ${kindOf(patches)}, expected an array of [pos, delCount, insertText]`, {
        txnIndex: ti,
      });
    if (patches.length === 0)
      throw new TraceError("has no patches (every transaction needs at least one)", { txnIndex: ti });
    edits += patches.length;
  }

  const pos = new Int32Array(edits);
  const del = new Int32Array(edits);
  const ins: string[] = new Array<string>(edits);
  const txnIndex = new Int32Array(edits);
  const patchIndex = new Int32Array(edits);
  const lengths = new Int32Array(edits + 1);
  let length = startContent.length;
  lengths[0] = length;
  let inserted = 0;
  let deleted = 0;
  let e = 0;
  for (let ti = 0; ti < txns.length; ti++) {
    const patches = (txns[ti] as { patches: unknown[] }).patches;
    for (let pi = 0; pi < patches.length; pi++) {
      const patch = patches[pi];
      const fail = (reason: string): never => {
        throw new TraceError(reason, { txnIndex: ti, patchIndex: pi, patch });
      };
      if (!Array.isArray(patch) || patch.length !== 3)
        fail(
          `is ${Array.isArray(patch) ? `an array of ${patch.length}` : kindOf(patch)}, expected an array of 3 [pos, delCount, insertText]`,
        );
      const [p, d, s] = patch as unknown[];
      if (typeof p !== "number" || !Number.isInteger(p) || p < 0)
        fail(`pos is ${kindOf(p)}, expected a non-negative integer`);
      if (typeof d !== "number" || !Number.isInteger(d) || d < 0)
        fail(`delCount is ${kindOf(d)}, expected a non-negative integer`);
      if (typeof s !== "string") fail(`insertText is ${kindOf(s)}, expected a string`);
      const pn = p as number;
      const dn = d as number;
      const sn = s as string;
      if (pn > length) fail(`pos ${pn} is beyond the end of the document (length ${length})`);
      if (dn > length - pn)
        fail(
          `deletes ${dn} characters at ${pn}, past the end of the document (length ${length}, ` +
            `${pn + dn - length} too many)`,
        );
      if (dn === 0 && sn.length === 0) fail("changes nothing (delCount 0 and empty insertText)");
      if (sn.length > 0) {
        const a = firstSurrogate(sn);
        if (a >= 0) fail(astralReason("insertText", a));
      }
      pos[e] = pn;
      del[e] = dn;
      ins[e] = sn;
      txnIndex[e] = ti;
      patchIndex[e] = pi;
      length += sn.length - dn;
      if (length > 0x3fffffff) fail(`makes the document longer than ${0x3fffffff} characters`);
      inserted += sn.length;
      deleted += dn;
      e++;
      lengths[e] = length;
    }
  }
  if (length !== endContent.length)
    throw new TraceError(
      `"endContent" has length ${endContent.length}, but the patches produce a document of length ${length}`,
    );
  return {
    startContent,
    endContent,
    txns: txns.length,
    edits,
    pos,
    del,
    ins,
    txnIndex,
    patchIndex,
    lengths,
    insertedChars: inserted,
    deletedChars: deleted,
  };
}

/**
 * Names edit `i` of a script for messages: `edit 12 (txn 10, patch 1 [5,0,"a"])`.
 *
 * @param script - the validated trace.
 * @param i - 0-based edit index.
 */
export function describeEdit(script: EditScript, i: number): string {
  const patch = [script.pos[i], script.del[i], script.ins[i]];
  return `edit ${i} (txn ${script.txnIndex[i]}, patch ${script.patchIndex[i]} ${showValue(patch)})`;
}
