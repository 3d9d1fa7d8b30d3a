/**
 * Command-line options (commander).
 *
 * @module
 */
import { ARRAY_PAGE_SIZE } from "@pagefork/array";
import { Command, InvalidArgumentError } from "commander";

/** Size of the state when `--size` is not given: 1 GiB of Float64 cells. */
export const DEFAULT_SIZE = 2 ** 30;
/** Versions kept when `--versions` is not given. */
export const DEFAULT_VERSIONS = 1000;
/** Cells each version writes when `--writes` is not given ("a handful"). */
export const DEFAULT_WRITES = 8;
/**
 * Size of the copies `structuredClone` and `Float64Array.prototype.slice` make
 * when `--baseline-size` is not given: 64 MiB. Copying the full 1 GiB a
 * thousand times is what the example shows cannot be done (1 TiB); a smaller
 * copy, timed and extrapolated linearly (a copy is a memcpy), gives the figure.
 */
export const DEFAULT_BASELINE_SIZE = 2 ** 26;
/** Copies of each baseline kept alive at once, whose times are averaged. */
export const DEFAULT_BASELINE_COPIES = 8;

/** Parsed options. */
export interface ExampleOptions {
  /** Bytes of Float64 state (a multiple of 8). */
  readonly size: number;
  readonly versions: number;
  readonly writes: number;
  readonly pageSize: number;
  readonly baselineSize: number;
  readonly baselineCopies: number;
  readonly seed: number;
  readonly json: boolean;
}

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 2 ** 10,
  kib: 2 ** 10,
  m: 2 ** 20,
  mib: 2 ** 20,
  g: 2 ** 30,
  gib: 2 ** 30,
};

/** Parses "1GiB", "512MiB", "65536" (bytes) into a multiple of 8 bytes. */
export function parseBytes(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  const unit = m === null ? undefined : UNITS[(m[2] as string).toLowerCase()];
  const n = m === null || unit === undefined ? Number.NaN : Number(m[1]) * unit;
  if (!Number.isSafeInteger(n) || n < 8 || n % 8 !== 0)
    throw new InvalidArgumentError(
      `expected a size in bytes, a multiple of 8 (e.g. 1GiB, 256MiB, 65536), got "${value}".`,
    );
  return n;
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

/** Parses `argv` (process.argv form); prints help and exits on `--help` or a bad option. */
export function parseOptions(argv: readonly string[]): ExampleOptions {
  const program = new Command()
    .name("fork-large-state")
    .description(
      "Builds a large Float64 simulation grid in a CowFloat64Array, forks it N times writing a few cells per version, keeps every version, and compares with structuredClone and Float64Array.prototype.slice.",
    )
    .option("--size <bytes>", "bytes of Float64 state (1GiB, 256MiB, 65536...)", parseBytes, DEFAULT_SIZE)
    .option("--versions <n>", "versions to fork and keep", positiveInt("versions"), DEFAULT_VERSIONS)
    .option("--writes <n>", "cells each version writes", positiveInt("writes"), DEFAULT_WRITES)
    .option("--page-size <bytes>", "page size of the frame pool", pageSize, ARRAY_PAGE_SIZE)
    .option("--baseline-size <bytes>", "bytes each structuredClone / slice copies", parseBytes, DEFAULT_BASELINE_SIZE)
    .option(
      "--baseline-copies <n>",
      "copies of each baseline kept and timed",
      positiveInt("baseline copies"),
      DEFAULT_BASELINE_COPIES,
    )
    .option("--seed <n>", "seed of the cells written", positiveInt("seed"), 1)
    .option("--json", "print one JSON object on stdout instead of the report", false)
    .parse(argv as string[]);
  const o = program.opts<ExampleOptions>();
  return { ...o, baselineSize: Math.min(o.baselineSize, o.size) };
}
