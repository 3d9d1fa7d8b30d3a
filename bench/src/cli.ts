/**
 * Command-line options (commander). `pnpm bench [-- ] --quick --only fork,read --runs 3`.
 *
 * @module
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { GROUP_NAMES, type GroupName } from "./figures.js";
import type { Timing } from "./harness.js";

const MiB = 1 << 20;

export interface BenchConfig {
  quick: boolean;
  groups: GroupName[];
  timing: Timing;
  /** Populated sizes (bytes) at which fork is timed. */
  forkSizes: number[];
  /** `--limit` passed to the demo; undefined replays the whole trace. */
  demoLimit: number | undefined;
  /** Kill the demo after this long (ms) and record a failure. */
  demoTimeoutMs: number;
  /** The flags as given, for the JSON. */
  flags: Record<string, unknown>;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

function groupList(value: string): GroupName[] {
  const names = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const n of names)
    if (!(GROUP_NAMES as readonly string[]).includes(n))
      throw new InvalidArgumentError(`unknown group "${n}" (groups: ${GROUP_NAMES.join(", ")})`);
  if (names.length === 0) throw new InvalidArgumentError(`expected some of: ${GROUP_NAMES.join(", ")}`);
  return names as GroupName[];
}

/** Parses `argv` (as `process.argv`). Exits with a usage message on bad input. */
export function parseCli(argv: readonly string[]): BenchConfig {
  const program = new Command()
    .name("pnpm bench")
    .description(
      "pagefork benchmarks: fork latency, read throughput, COW fault cost and the undo/redo demo, " +
        "each as a ratio to a baseline measured in the same run.",
    )
    .option("--quick", "small sizes, few short runs (under ~90 s); writes to bench/results/quick/", false)
    .addOption(
      new Option("--only <groups>", `comma-separated groups to run (${GROUP_NAMES.join(",")})`).argParser(groupList),
    )
    .addOption(new Option("--runs <n>", "repeated runs per group (default 5, quick 2)").argParser(positiveInt))
    .addOption(
      new Option("--time <ms>", "tinybench time budget per task and run (default 400, quick 100)").argParser(
        positiveInt,
      ),
    )
    .addOption(
      new Option("--demo-limit <n>", "edits the demo replays (default: all; quick 20000)").argParser(positiveInt),
    )
    .allowExcessArguments(false)
    .showHelpAfterError();
  // pnpm forwards a literal "--" when called as `pnpm bench -- --quick`.
  const args = argv.slice(2).filter((a) => a !== "--");
  program.parse(args, { from: "user" });
  const o = program.opts<{ quick: boolean; only?: GroupName[]; runs?: number; time?: number; demoLimit?: number }>();
  const quick = o.quick;
  const runs = o.runs ?? (quick ? 2 : 5);
  const timeMs = o.time ?? (quick ? 100 : 400);
  return {
    quick,
    groups: o.only ?? [...GROUP_NAMES],
    timing: {
      runs,
      timeMs,
      warmupMs: Math.max(20, Math.round(timeMs * 0.4)),
      iterations: quick ? 8 : 16,
      maxSamples: quick ? 200 : 1000,
    },
    forkSizes: quick ? [1 * MiB, 16 * MiB] : [1 * MiB, 16 * MiB, 256 * MiB, 1024 * MiB],
    demoLimit: o.demoLimit ?? (quick ? 20_000 : undefined),
    demoTimeoutMs: quick ? 60_000 : 30 * 60_000,
    flags: { quick, only: o.only ?? null, runs, time: timeMs, demoLimit: o.demoLimit ?? null, argv: args },
  };
}
