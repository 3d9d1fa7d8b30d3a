/**
 * Command-line options (commander): `pnpm bench [--quick] [--only W1,W4] [--runs N]
 * [--libraries pagefork,immer] [--report <results.json>[,<rerun.json>…]]`.
 *
 * @module
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { WORKLOAD_IDS, type WorkloadId } from "./model.js";

/** Runs per case unless `--runs` says otherwise. */
export const DEFAULT_RUNS = { full: 3, quick: 1 };

/** What the command was asked to do. */
export interface BenchConfig {
  quick: boolean;
  /** Workloads to run, in report order. */
  only: WorkloadId[];
  runs: number;
  /** Library ids to run (all when undefined). */
  libraries: string[] | undefined;
  /**
   * Re-render RESULTS.md and the charts from these results files instead of
   * running: the first, with the workloads of each later one (a rerun of
   * some workloads) in place of its own.
   */
  reportFrom: string[] | undefined;
  /** The flags as given, for the results file. */
  argv: string[];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

function list(value: string): string[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0) throw new InvalidArgumentError("expected a comma-separated list");
  return items;
}

function workloadList(value: string): WorkloadId[] {
  // Case-insensitive: "w1b" and "W1B" name W1b.
  const ids = list(value).map((s) => {
    const id = WORKLOAD_IDS.find((w) => w.toUpperCase() === s.toUpperCase());
    if (id === undefined)
      throw new InvalidArgumentError(`unknown workload "${s}" (workloads: ${WORKLOAD_IDS.join(", ")})`);
    return id;
  });
  return WORKLOAD_IDS.filter((id) => ids.includes(id));
}

/** Parses `argv` (as `process.argv`). Exits with a usage message on bad input. */
export function parseCli(argv: readonly string[], libraryIds: readonly string[]): BenchConfig {
  const program = new Command()
    .name("pnpm bench")
    .description(
      "pagefork head to head with Immer, Mutative, Immutable.js, structuredClone, TypedArray.slice, native Map, " +
        "plain strings and jumprope: every case in its own process, medians of repeated runs, memory after gc().",
    )
    .option("--quick", "small sizes, one run per case (about a minute); writes to bench/results/quick/", false)
    .addOption(
      new Option("--only <workloads>", `comma-separated workloads to run (${WORKLOAD_IDS.join(",")})`).argParser(
        workloadList,
      ),
    )
    .addOption(
      new Option(
        "--runs <n>",
        `runs per case, each in a fresh process (default ${DEFAULT_RUNS.full}, quick ${DEFAULT_RUNS.quick})`,
      ).argParser(positiveInt),
    )
    .addOption(
      new Option("--libraries <ids>", `only these libraries (${libraryIds.join(",")})`).argParser((v) => {
        const ids = list(v);
        for (const id of ids)
          if (!libraryIds.includes(id))
            throw new InvalidArgumentError(`unknown library "${id}" (libraries: ${libraryIds.join(", ")})`);
        return ids;
      }),
    )
    .addOption(
      new Option(
        "--report <results.json[,rerun.json…]>",
        "re-render RESULTS.md and the charts from a results file; runs nothing. Later files replace the workloads they hold",
      ).argParser(list),
    )
    .allowExcessArguments(false)
    .showHelpAfterError();
  // pnpm forwards a literal "--" when called as `pnpm bench -- --quick`.
  const args = argv.slice(2).filter((a) => a !== "--");
  program.parse(args, { from: "user" });
  const o = program.opts<{
    quick: boolean;
    only?: WorkloadId[];
    runs?: number;
    libraries?: string[];
    report?: string[];
  }>();
  return {
    quick: o.quick,
    only: o.only ?? [...WORKLOAD_IDS],
    runs: o.runs ?? (o.quick ? DEFAULT_RUNS.quick : DEFAULT_RUNS.full),
    libraries: o.libraries,
    reportFrom: o.report,
    argv: args,
  };
}
