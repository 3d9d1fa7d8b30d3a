/**
 * A text edit near the pool's limit plans its page writes, then reserves the
 * frames (`space.reserveFrames`), which may run the pool's out-of-memory
 * hook. A hook that forks the text's space there shares every page the edit
 * had to itself; one that freezes, unmaps or write-protects it stops the
 * edit's writes. Each edit must complete (a fork keeping the old text) or
 * throw having changed nothing, and leak nothing.
 */
import type { FramePool } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import { describe, expect, it } from "vitest";
import { type HookAct, runHookCase, sweep } from "../../../test/support/oom-hook.js";

const PS = 256;
type Act = "fork" | "freeze" | "protect" | "protect one page" | "unmap one page";
const ACTS: readonly Act[] = ["fork", "freeze", "protect", "protect one page", "unmap one page"];

const base = Array.from({ length: 1500 }, (_, i) => String.fromCharCode(97 + (i % 26)) + (i % 7 === 0 ? "é" : "")).join(
  "",
);

/** The harness's act for this file's act name, on page `page`. */
function hookAct(act: Act, page: number): HookAct {
  if (act === "protect one page") return { kind: "protect page", page };
  if (act === "unmap one page") return { kind: "unmap page", page };
  return { kind: act };
}

/**
 * One run (test/support/oom-hook.ts) over a text of `base` in a pool of 64
 * frames: `shared` 1 keeps a fork aside, 2 also writes the first leaf again
 * (its path private); after an unmapped page the text is not read back.
 */
function run(
  call: (t: CowText) => unknown,
  model: (s: string) => string,
  act: Act,
  left: number,
  victim: number,
  shared: number,
  page: number,
): string | null {
  return runHookCase<CowText, string>({
    pageSize: PS,
    maxFrames: 64,
    fillPages: 64,
    make: (pool: FramePool) => CowText.from(base, { pool }),
    space: (t) => t.space,
    read: (t) => t.toString(),
    fork: (t) => {
      const c = t.fork();
      return { read: () => c.toString(), release: () => c.release() };
    },
    release: (t) => t.release(),
    keep: shared > 0,
    prepare: shared === 2 ? (t) => t.insert(0, "x") : undefined,
    call,
    model,
    act: hookAct(act, page),
    left,
    victim,
  });
}

const chunk = "0123456789".repeat(60);
const calls: [string, (t: CowText) => unknown, (s: string) => string][] = [
  ["insert a chunk (splits)", (t) => t.insert(700, chunk), (s) => s.slice(0, 700) + chunk + s.slice(700)],
  ["insert one unit", (t) => t.insert(300, "Z"), (s) => `${s.slice(0, 300)}Z${s.slice(300)}`],
  ["insert at the end", (t) => t.insert(t.length, chunk), (s) => s + chunk],
  ["delete across leaves", (t) => t.delete(100, 900), (s) => s.slice(0, 100) + s.slice(1000)],
  ["delete a few units", (t) => t.delete(400, 3), (s) => s.slice(0, 400) + s.slice(403)],
  ["delete everything", (t) => t.delete(0, t.length), () => ""],
];

describe("a CowText edit whose out-of-memory hook forks, freezes, protects or unmaps the text's space", () => {
  for (const act of ACTS)
    for (const [name, call, model] of calls)
      it(`${act}: ${name} completes, or throws having changed nothing`, () => {
        const bad = sweep(
          [
            ["left", [0, 2, 4, 6, 8]],
            ["victim", [1, 3, 5, 7, 9]],
            ["shared", [0, 1, 2]],
            ["page", act.endsWith("one page") ? [1, 2, 5, 9] : [0]],
          ],
          ([left, victim, shared, page]) =>
            run(call, model, act, left as number, victim as number, shared as number, page as number),
        );
        expect(bad.slice(0, 3)).toEqual([]);
      });
});
