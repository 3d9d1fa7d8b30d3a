import { describe, expect, it } from "vitest";
import { describeEdit, TraceError, validateTrace } from "../src/trace.js";

/** A trace with the given patches, one transaction each, and the end text they produce. */
function traceOf(patches: unknown[], endContent: string): unknown {
  return {
    startContent: "",
    endContent,
    txns: patches.map((p) => ({ time: "1970-01-01T00:00:00.000Z", patches: [p] })),
  };
}

/** The TraceError `validateTrace(raw)` throws. */
function errorOf(raw: unknown): TraceError {
  try {
    validateTrace(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(TraceError);
    return e as TraceError;
  }
  throw new Error("expected validateTrace to throw");
}

describe("validateTrace", () => {
  it("accepts a valid tiny trace and flattens it", () => {
    const raw = {
      startContent: "",
      endContent: "hXllo",
      txns: [
        { time: "t", patches: [[0, 0, "hello"]] },
        { time: "t", patches: [[1, 1, "X"]] },
        {
          time: "t",
          patches: [
            [5, 0, "!"],
            [5, 1, ""],
          ],
        },
      ],
    };
    const s = validateTrace(raw);
    expect(s.txns).toBe(3);
    expect(s.edits).toBe(4);
    expect(Array.from(s.pos)).toEqual([0, 1, 5, 5]);
    expect(Array.from(s.del)).toEqual([0, 1, 0, 1]);
    expect(s.ins).toEqual(["hello", "X", "!", ""]);
    expect(Array.from(s.txnIndex)).toEqual([0, 1, 2, 2]);
    expect(Array.from(s.patchIndex)).toEqual([0, 0, 0, 1]);
    expect(Array.from(s.lengths)).toEqual([0, 5, 5, 6, 5]);
    expect(s.insertedChars).toBe(7);
    expect(s.deletedChars).toBe(2);
    expect(describeEdit(s, 3)).toBe('edit 3 (txn 2, patch 1 [5,1,""])');
  });

  it("accepts a non-empty startContent and a missing time", () => {
    const s = validateTrace({ startContent: "ab", endContent: "abc", txns: [{ patches: [[2, 0, "c"]] }] });
    expect(Array.from(s.lengths)).toEqual([2, 3]);
  });

  it("accepts an empty trace", () => {
    expect(validateTrace({ startContent: "", endContent: "", txns: [] }).edits).toBe(0);
  });

  it.each([
    [null, "the trace is null, expected an object { startContent, endContent, txns }"],
    [[1, 2], "the trace is an array, expected an object { startContent, endContent, txns }"],
    [{ endContent: "" }, 'missing "txns" (expected an array of transactions)'],
    [{ endContent: "", txns: {} }, '"txns" is an object, expected an array of transactions'],
    [{ txns: [] }, 'missing "endContent" (expected the final document text)'],
    [{ endContent: 5, txns: [] }, '"endContent" is number 5, expected a string'],
    [{ startContent: 1, endContent: "", txns: [] }, '"startContent" is number 1, expected a string'],
  ])("refuses a bad top level %j", (raw, message) => {
    const e = errorOf(raw);
    expect(e.message).toBe(message);
    expect(e.location).toBeUndefined();
  });

  it.each([
    [[null], "txn 0: is null, expected an object { time, patches }"],
    [[{ time: "t" }], 'txn 0: missing "patches" (expected an array of [pos, delCount, insertText])'],
    [[{ patches: "x" }], 'txn 0: "patches" is string "x", expected an array of [pos, delCount, insertText]'],
    [[{ patches: [[0, 0, "a"]] }, { patches: [] }], "txn 1: has no patches (every transaction needs at least one)"],
  ])("refuses a bad transaction %j", (txns, message) => {
    expect(errorOf({ endContent: "", txns }).message).toBe(message);
  });

  it.each([
    [
      "not an array",
      "abc",
      'txn 1, patch 0 "abc": is string "abc", expected an array of 3 [pos, delCount, insertText]',
    ],
    [
      "an array of 2",
      [0, 0],
      "txn 1, patch 0 [0,0]: is an array of 2, expected an array of 3 [pos, delCount, insertText]",
    ],
    [
      "an array of 4",
      [0, 0, "x", 1],
      'txn 1, patch 0 [0,0,"x",1]: is an array of 4, expected an array of 3 [pos, delCount, insertText]',
    ],
    [
      "a fractional pos",
      [1.5, 0, "x"],
      'txn 1, patch 0 [1.5,0,"x"]: pos is the number 1.5, expected a non-negative integer',
    ],
    ["a string pos", ["1", 0, "x"], 'txn 1, patch 0 ["1",0,"x"]: pos is string "1", expected a non-negative integer'],
    ["a negative pos", [-1, 0, "x"], 'txn 1, patch 0 [-1,0,"x"]: pos is number -1, expected a non-negative integer'],
    [
      "a null delCount",
      [0, null, "x"],
      'txn 1, patch 0 [0,null,"x"]: delCount is null, expected a non-negative integer',
    ],
    ["a number insertText", [0, 0, 7], "txn 1, patch 0 [0,0,7]: insertText is number 7, expected a string"],
    ["pos beyond the end", [4, 0, "x"], 'txn 1, patch 0 [4,0,"x"]: pos 4 is beyond the end of the document (length 3)'],
    [
      "a delete past the end",
      [2, 2, ""],
      'txn 1, patch 0 [2,2,""]: deletes 2 characters at 2, past the end of the document (length 3, 1 too many)',
    ],
    ["a no-op", [1, 0, ""], 'txn 1, patch 0 [1,0,""]: changes nothing (delCount 0 and empty insertText)'],
  ])("refuses a patch that is %s", (_what, patch, message) => {
    const e = errorOf(traceOf([[0, 0, "abc"], patch], "abc"));
    expect(e.message).toBe(message);
    expect(e.location).toEqual({ txnIndex: 1, patchIndex: 0, patch });
  });

  it("names the first bad patch, not a later one", () => {
    const raw = traceOf(
      [
        [0, 0, "ab"],
        [9, 0, "x"],
        [0, "bad", ""],
      ],
      "ab",
    );
    expect(errorOf(raw).location?.txnIndex).toBe(1);
  });

  it("tracks the length across the patches of one transaction", () => {
    const raw = {
      endContent: "",
      txns: [
        {
          patches: [
            [0, 0, "ab"],
            [1, 1, ""],
            [1, 1, ""],
          ],
        },
      ],
    };
    expect(errorOf(raw).message).toBe(
      'txn 0, patch 2 [1,1,""]: deletes 1 characters at 1, past the end of the document (length 1, 1 too many)',
    );
  });

  it("refuses an endContent whose length the patches do not produce", () => {
    expect(errorOf(traceOf([[0, 0, "ab"]], "abc")).message).toBe(
      '"endContent" has length 3, but the patches produce a document of length 2',
    );
  });

  it("refuses characters above U+FFFF, whose code-point and UTF-16 positions differ", () => {
    const e = errorOf(traceOf([[0, 0, "a\u{1F600}"]], "a\u{1F600}"));
    expect(e.message).toMatch(/^"endContent" contains a character above U\+FFFF/);
    const p = errorOf({ endContent: "ab", txns: [{ patches: [[0, 0, "ab"]] }, { patches: [[1, 0, "\u{1F600}"]] }] });
    expect(p.message).toMatch(
      /^txn 1, patch 0 \[1,0,".+"\]: insertText contains a character above U\+FFFF .* offset 0/,
    );
  });

  it("shortens a long patch in the message", () => {
    const long = "x".repeat(500);
    const e = errorOf(traceOf([[1, 0, long]], long));
    expect(e.message.length).toBeLessThan(200);
    expect(e.message).toContain("…");
  });
});
