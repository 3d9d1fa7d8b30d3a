/**
 * Command-line options of the demo (commander).
 *
 * @module
 */
import { Command, InvalidArgumentError } from "commander";
import { DEFAULT_TRACE } from "./trace-file.js";

/**
 * Page size of the demo's frame pool when `--page-size` is not given, in
 * bytes. 256 is the smallest page the core allows: with one version per
 * keystroke every edit copies its leaf and the path above it, so small pages
 * keep the history small (see the page-size sweep in the README).
 */
export const DEFAULT_PAGE_SIZE = 256;

/** Random versions compared with the plain replay when `--check` is not given. */
export const DEFAULT_CHECK = 1000;

/** Seed of the sample when `--seed` is not given. */
export const DEFAULT_SEED = 1;

/** Parsed command-line options. */
export interface DemoOptions {
  /** `--trace` as given, or undefined for {@link DEFAULT_TRACE}. */
  readonly trace: string | undefined;
  readonly pageSize: number;
  /** Replay only the first `limit` edits; undefined for all. */
  readonly limit: number | undefined;
  readonly seed: number;
  readonly check: number;
  /** Undo steps of the walk; undefined for the whole history. */
  readonly undo: number | undefined;
  /** Versions the history keeps (older ones are released during the replay); undefined for all. */
  readonly maxVersions: number | undefined;
  /** The pool's `reclaimDropped` (FinalizationRegistry safety net); off unless `--reclaim-dropped`. */
  readonly reclaimDropped: boolean;
  readonly json: boolean;
  /** `--save <dir>`: save the replayed history in an @pagefork/persist store there. */
  readonly save: string | undefined;
  /** `--load <dir>`: load the history from that store instead of replaying the trace. */
  readonly load: string | undefined;
}

function nonNegativeInt(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isSafeInteger(n) || n < 0)
      throw new InvalidArgumentError(`${what} must be a non-negative integer, got "${value}".`);
    return n;
  };
}

function positiveInt(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isSafeInteger(n) || n < 1)
      throw new InvalidArgumentError(`${what} must be a positive integer, got "${value}".`);
    return n;
  };
}

function pageSize(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 256 || n > 65536 || (n & (n - 1)) !== 0)
    throw new InvalidArgumentError(`page size must be a power of two from 256 to 65536 bytes, got "${value}".`);
  return n;
}

function seed(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < 0 || n > 0xffffffff)
    throw new InvalidArgumentError(`seed must be an integer from 0 to 4294967295, got "${value}".`);
  return n;
}

/**
 * Parses `argv` (as `process.argv`). On a bad option commander prints the
 * error to stderr and exits with code 1; `--help` prints usage and exits 0.
 */
export function parseOptions(argv: readonly string[]): DemoOptions {
  const program = new Command()
    .name("undo-redo")
    .description(
      "Replay a real editing trace into a CowText, keep every version as undo history, verify it and report what it costs.",
    )
    .option(
      "--trace <file>",
      `trace in the sequential editing-traces format, .json or .json.gz (default: ${DEFAULT_TRACE} in the repository)`,
    )
    .option(
      "--page-size <bytes>",
      "page size of the frame pool, a power of two from 256 to 65536",
      pageSize,
      DEFAULT_PAGE_SIZE,
    )
    .option("--limit <n>", "replay only the first n edits", nonNegativeInt("--limit"))
    .option("--seed <n>", "seed of the random sample of versions to check", seed, DEFAULT_SEED)
    .option(
      "--check <n>",
      "number of random versions to compare with a plain-string replay",
      nonNegativeInt("--check"),
      DEFAULT_CHECK,
    )
    .option("--undo <steps>", "undo steps of the undo/redo walk (default: the whole history)", nonNegativeInt("--undo"))
    .option(
      "--max-versions <n>",
      "keep only the newest n versions; older ones are released as the replay goes (default: all)",
      positiveInt("--max-versions"),
    )
    .option(
      "--reclaim-dropped",
      "register every version with the pool's FinalizationRegistry (the core's default; the demo releases every version itself, so it is off: it costs ~72 B of JS heap per version)",
      false,
    )
    .option("--json", "print the figures as one JSON object on stdout, and no progress", false)
    .option(
      "--save <dir>",
      "save the whole history in an @pagefork/persist store (LMDB) in <dir>, and report its size and time",
    )
    .option(
      "--load <dir>",
      "load the history saved by --save from <dir> instead of replaying, and run the checks on it (give the same --limit/--max-versions/--page-size)",
    )
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .parse(argv as string[]);
  const o = program.opts<{
    trace?: string;
    pageSize: number;
    limit?: number;
    seed: number;
    check: number;
    undo?: number;
    maxVersions?: number;
    reclaimDropped: boolean;
    json: boolean;
    save?: string;
    load?: string;
  }>();
  if (o.save !== undefined && o.load !== undefined) program.error("error: --save and --load exclude each other");
  return {
    trace: o.trace,
    pageSize: o.pageSize,
    limit: o.limit,
    seed: o.seed,
    check: o.check,
    undo: o.undo,
    maxVersions: o.maxVersions,
    reclaimDropped: o.reclaimDropped === true,
    json: o.json === true,
    save: o.save,
    load: o.load,
  };
}
