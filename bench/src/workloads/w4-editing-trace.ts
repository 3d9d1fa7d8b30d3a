/**
 * W4: an editing trace with its undo history. Every keystroke of a real
 * document is applied, and every version is kept: edits per second and bytes
 * of history. pagefork's `CowText` forks per edit (as examples/undo-redo
 * does); plain JS strings keep each version (immutable, so "forking" is free,
 * but each version is its own string); an Immutable.js `List` of characters
 * keeps each version by structural sharing. jumprope has no snapshot or
 * clone, so it runs without history, next to a plain string without history:
 * both are labelled as such.
 *
 * Variants whose cost per edit grows with the document (strings, the List)
 * cannot finish the long traces in bounded time or memory: they run a prefix,
 * and their totals are extrapolated in proportion to the characters in all
 * versions (each version costs in proportion to its length).
 *
 * @module
 */
import { FramePool } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import { List } from "immutable";
import JumpRope from "jumprope";
import { groupedBarChart, pointsOf } from "../chart-specs.js";
import {
  type Budget,
  defaultBudget,
  memoryNow,
  poolAccounting,
  runBudgeted,
  runWarmUp,
  warmUpRounds,
} from "../measure.js";
import type { CaseSpec, Measurement, MetricDef, RunContext, VariantRunner, WorkloadSpec } from "../model.js";
import { ratioHeadline } from "../summary.js";
import { check, makeCase, strParam } from "./cases.js";
import { type FlatTrace, loadTrace, plainReplay, TRACES } from "./trace.js";

const METRICS: MetricDef[] = [
  { key: "editsPerSecond", label: "edits/s", unit: "per-second", ratio: true },
  { key: "historyBytes", label: "history bytes", unit: "bytes", ratio: true },
  { key: "bytesPerVersion", label: "bytes / version", unit: "bytes", ratio: true },
  { key: "inUseBytes", label: "in use (pagefork's accounting)", unit: "bytes", ratio: false },
  { key: "versionsKept", label: "versions kept", unit: "count", ratio: false },
];

const VARIANTS = [
  {
    variant: "pagefork",
    library: "pagefork",
    label: "pagefork CowText, fork per edit",
    short: "pagefork",
    keeps: true,
  },
  {
    variant: "strings",
    library: "native",
    label: "plain JS strings, every version kept",
    short: "strings",
    keeps: true,
  },
  {
    variant: "immutable-list",
    library: "immutable",
    label: "Immutable.js List of characters, every version kept",
    short: "Immutable List",
    keeps: true,
  },
  {
    variant: "string-nohistory",
    library: "native",
    label: "plain JS string, **no history** (reference)",
    short: "string, no history",
    keeps: false,
  },
  {
    variant: "jumprope",
    library: "jumprope",
    label: "jumprope, **no history** (it has no snapshot or clone)",
    short: "jumprope, no history",
    keeps: false,
  },
];

/** Edits per trace under `--quick`. */
const QUICK_EDITS = 4000;

// One top-level loop per library (monomorphic call sites; inputs as parameters).

function textLoop(vs: CowText[], pos: Int32Array, del: Int32Array, ins: string[], from: number, to: number): void {
  let text = vs[from] as CowText;
  for (let i = from; i < to; i++) {
    text = text.fork();
    const p = pos[i] as number;
    const d = del[i] as number;
    const s = ins[i] as string;
    if (d !== 0) text.delete(p, d);
    if (s.length !== 0) text.insert(p, s);
    vs[i + 1] = text;
  }
}

function stringLoop(vs: string[], pos: Int32Array, del: Int32Array, ins: string[], from: number, to: number): void {
  let s = vs[from] as string;
  for (let i = from; i < to; i++) {
    const p = pos[i] as number;
    s = s.slice(0, p) + (ins[i] as string) + s.slice(p + (del[i] as number));
    vs[i + 1] = s;
  }
}

function listLoop(vs: List<string>[], pos: Int32Array, del: Int32Array, ins: string[], from: number, to: number) {
  let l = vs[from] as List<string>;
  for (let i = from; i < to; i++) {
    const s = ins[i] as string;
    l =
      s.length === 1
        ? l.splice(pos[i] as number, del[i] as number, s)
        : l.splice(pos[i] as number, del[i] as number, ...s);
    vs[i + 1] = l;
  }
}

/** No history: `cur[0]` is the only version. */
function stringOnlyLoop(cur: string[], pos: Int32Array, del: Int32Array, ins: string[], from: number, to: number) {
  let s = cur[0] as string;
  for (let i = from; i < to; i++) {
    const p = pos[i] as number;
    s = s.slice(0, p) + (ins[i] as string) + s.slice(p + (del[i] as number));
  }
  cur[0] = s;
}

function ropeLoop(rope: JumpRope, pos: Int32Array, del: Int32Array, ins: string[], from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const p = pos[i] as number;
    const d = del[i] as number;
    const s = ins[i] as string;
    if (d !== 0) rope.del(p, d);
    if (s.length !== 0) rope.insert(p, s);
  }
}

/** One library's replay: a fresh state, the loop over `[from, to)`, and the text of version `v`. */
interface Replayer {
  step(from: number, to: number): void;
  text(v: number): string;
  versions: number;
  /** pagefork: bytes in use by the pool (its own accounting). */
  poolInUse?(): number;
}

function replayer(variant: string, t: FlatTrace, total: number): Replayer {
  const { pos, del, ins, startContent } = t;
  switch (variant) {
    case "pagefork": {
      const pool = new FramePool({ pageSize: 256 });
      const vs: CowText[] = new Array<CowText>(total + 1);
      vs[0] = new CowText({ pool });
      if (startContent.length > 0) vs[0].insert(0, startContent);
      return {
        step: (a, b) => textLoop(vs, pos, del, ins, a, b),
        text: (v) => (vs[v] as CowText).toString(),
        versions: total + 1,
        poolInUse: () => poolAccounting(pool).inUse,
      };
    }
    case "strings": {
      const vs: string[] = new Array<string>(total + 1);
      vs[0] = startContent;
      return { step: (a, b) => stringLoop(vs, pos, del, ins, a, b), text: (v) => vs[v] as string, versions: total + 1 };
    }
    case "immutable-list": {
      const vs: List<string>[] = new Array<List<string>>(total + 1);
      vs[0] = List(startContent.split(""));
      return {
        step: (a, b) => listLoop(vs, pos, del, ins, a, b),
        text: (v) => (vs[v] as List<string>).join(""),
        versions: total + 1,
      };
    }
    case "string-nohistory": {
      const cur = [startContent];
      return { step: (a, b) => stringOnlyLoop(cur, pos, del, ins, a, b), text: () => cur[0] as string, versions: 1 };
    }
    case "jumprope": {
      const rope = new JumpRope(startContent);
      return { step: (a, b) => ropeLoop(rope, pos, del, ins, a, b), text: () => rope.toString(), versions: 1 };
    }
    default:
      throw new Error(`W4 has no variant ${variant}`);
  }
}

function budgetFor(variant: string, quick: boolean): Budget {
  const keepsGrowing = variant === "strings" || variant === "immutable-list";
  // pagefork and the no-history references are expected to finish; their budget is only a guard.
  return keepsGrowing ? defaultBudget(quick) : { ...defaultBudget(quick, 120), seconds: quick ? 20 : 120 };
}

/**
 * The warm-up, as W1's ({@link warmUpRounds}): the trace's first edits
 * replayed on two throwaway states in turn, up to 10,000 edits within 1.5 s
 * and 256 MiB each (`--quick`: 1,000 within 0.25 s), each round in its own
 * function so nothing of it stays reachable from `run`'s frame. Was one round
 * of 2,000 edits: pagefork's per-edit functions reach TurboFan only after
 * 4,000-8,000 calls (bench/README.md, "How it measures").
 */
function warmUp(variant: string, t: FlatTrace, total: number, quick: boolean): void {
  warmUpRounds(quick, (_r, edits, budget) => {
    const n = Math.min(edits, total);
    const r = replayer(variant, t, n);
    return runWarmUp(n, budget, (a, b) => r.step(a, b));
  });
}

function run(variant: string, ctx: RunContext): Measurement {
  const t = loadTrace(strParam(ctx.params, "trace"));
  const limit = ctx.params.edits;
  const total = typeof limit === "number" ? Math.min(limit, t.edits) : t.edits;
  warmUp(variant, t, total, ctx.quick);

  const m0 = memoryNow();
  const r = replayer(variant, t, total);
  const pf0 = r.poolInUse?.() ?? 0;
  const loop = runBudgeted(
    total,
    budgetFor(variant, ctx.quick),
    (a, b) => r.step(a, b),
    (done) => ctx.progress(`${done.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} edits`),
  );
  const done = loop.done;
  const m1 = memoryNow();
  const keeps = r.versions > 1;

  // The newest version, and for histories one in the middle, against a plain replay.
  const want = done === t.edits ? t.endContent : plainReplay(t, done);
  check(r.text(keeps ? done : 0) === want, `${variant}: the text after ${done} edits matches the plain replay`);
  const checks = [`the text after ${done} edits equals the plain-string replay`];
  if (keeps) {
    const mid = Math.floor(done / 2);
    check(r.text(mid) === plainReplay(t, mid), `${variant}: version ${mid} matches the plain replay`);
    checks.push(`version ${mid} (kept) equals the plain-string replay`);
  }

  // Cost per version grows with the document: extrapolate by the characters in all versions.
  const f =
    done === total
      ? 1
      : ((t.flatChars[total] as number) - (t.flatChars[0] as number)) /
        ((t.flatChars[done] as number) - (t.flatChars[0] as number));
  const metrics: Record<string, number> = { editsPerSecond: total / ((loop.ns / 1e9) * f) };
  const out: Measurement = { metrics, checks, info: { editsDone: done, editsTotal: total, trace: t.path } };
  if (keeps) {
    const held = (m1.held - m0.held) * f;
    metrics.historyBytes = held;
    metrics.bytesPerVersion = held / (total + 1);
    metrics.versionsKept = total + 1;
    if (r.poolInUse !== undefined) {
      metrics.inUseBytes = r.poolInUse() - pf0 + (m1.heapUsed - m0.heapUsed);
      out.info = { ...out.info, poolInUseBytes: r.poolInUse() - pf0, heapBytes: m1.heapUsed - m0.heapUsed };
    }
  }
  if (loop.stoppedBy !== undefined) {
    out.prefix = {
      done,
      total,
      stoppedBy: loop.stoppedBy,
      basis:
        "edits/s and bytes are extrapolated in proportion to the characters held by all versions, " +
        `${f.toFixed(2)}× those of the prefix's versions (each version costs in proportion to its length)`,
    };
    out.extrapolated = ["editsPerSecond", "historyBytes", "bytesPerVersion"];
  }
  return out;
}

export const variants: Record<string, VariantRunner> = Object.fromEntries(
  VARIANTS.map((v) => [v.variant, (ctx: RunContext) => run(v.variant, ctx)]),
);

export const spec: WorkloadSpec = {
  id: "W4",
  title: "Editing traces with undo history",
  groupLabel: "trace",
  method:
    "Real editing traces from josephg/editing-traces (CC BY 4.0; automerge-paper by Martin Kleppmann, " +
    "seph-blog1 and friendsforever_flat by Joseph Gentle) are replayed edit by edit, keeping every version " +
    "(259,779, 137,994 and 26,079 versions). pagefork: `text = text.fork()` then the edit, as " +
    "examples/undo-redo does (256 B pages). Plain strings: `s.slice(0, p) + ins + s.slice(p + del)`, every " +
    "result kept (V8's cons and sliced strings are measured as they are: `slice` flattens the previous " +
    "version first). Immutable.js: `list.splice(p, del, ...chars)`. **history bytes** is heap + ArrayBuffer " +
    "bytes held after `gc()` by all versions; for pagefork **in use** is its pool's frames + page tables + " +
    "metadata plus the versions' JS heap (the demo's `totalHistoryBytes`). jumprope has no snapshot or clone, " +
    "so it and a plain string run **without history**, for speed reference only. Each process first replays " +
    "the trace's first edits on two throwaway states in turn (up to 10,000 within 1.5 s each), as W1 warms up. Growing variants stop at their budget " +
    "(2 GiB or 10 s) and are extrapolated (see the notes). Each run checks the newest version (and a middle " +
    "one) against a plain-string replay.",
  metrics: METRICS,
  cases(config) {
    const out: CaseSpec[] = [];
    // --quick: a prefix of the longest and of the shortest trace.
    const traces = config.quick ? [TRACES[0], TRACES[2]] : TRACES;
    for (const trace of traces)
      for (const v of VARIANTS)
        out.push(
          makeCase("W4", config.quick, {
            variant: v.variant,
            library: v.library,
            label: v.label,
            short: v.short,
            group: trace,
            params: config.quick ? { trace, edits: QUICK_EDITS } : { trace },
            baseline: v.library === "pagefork",
            timeoutSeconds: 300,
          }),
        );
    return out;
  },
  charts(cases) {
    return [
      {
        file: "w4-edits-per-second.svg",
        title: "W4: edits per second for each trace",
        spec: groupedBarChart({
          title: "W4: edits per second (higher is better; ≈ rows extrapolated)",
          xTitle: "trace",
          yTitle: "edits per second",
          points: pointsOf(cases, "editsPerSecond", (c) => c.spec.group),
        }),
      },
      {
        file: "w4-history-bytes.svg",
        title: "W4: bytes of the whole undo history for each trace",
        spec: groupedBarChart({
          title: "W4: bytes held by every version (lower is better)",
          xTitle: "trace",
          yTitle: "history bytes",
          points: pointsOf(cases, "historyBytes", (c) => c.spec.group),
        }),
      },
    ];
  },
  headline(cases) {
    return [
      ratioHeadline("W4", cases, TRACES[0], METRICS[0] as MetricDef, `W4 edits/s keeping every version, ${TRACES[0]}`),
      ratioHeadline("W4", cases, TRACES[0], METRICS[1] as MetricDef, `W4 bytes of all versions, ${TRACES[0]}`),
    ].filter((r) => r !== undefined);
  },
};
