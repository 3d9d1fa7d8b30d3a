/**
 * Finding and reading a trace file: gzipped or plain JSON, with errors a user
 * can act on (file not found, not gzip, not JSON).
 *
 * @module
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

/** The trace replayed when `--trace` is not given, relative to the repository root. */
export const DEFAULT_TRACE = "data/editing-traces/automerge-paper.json.gz";

/** A trace file that cannot be found or read as JSON. */
export class TraceFileError extends Error {
  override readonly name = "TraceFileError";
}

/**
 * The repository root: the nearest folder above this module that holds
 * `pnpm-workspace.yaml` (the examples live at `examples/<name>/src`).
 */
export function findRepoRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; ) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const up = dirname(dir);
    if (up === dir) return resolve(here, "../../..");
    dir = up;
  }
}

/**
 * Resolves the `--trace` argument to an absolute path.
 *
 * An absolute path is used as is. A relative path is tried against, in order:
 * the directory the user ran the command from (`INIT_CWD`, which pnpm sets,
 * since `pnpm demo` runs the script inside `examples/undo-redo`), the current
 * directory, and the repository root. The default trace is resolved against
 * the repository root only.
 *
 * @param arg - the `--trace` value, or undefined for {@link DEFAULT_TRACE}.
 * @param repoRoot - see {@link findRepoRoot}.
 * @returns the first candidate that exists.
 * @throws {TraceFileError} listing every path tried when none exists.
 */
export function resolveTracePath(arg: string | undefined, repoRoot: string): string {
  if (arg === undefined) {
    const p = join(repoRoot, DEFAULT_TRACE);
    if (!existsSync(p))
      throw new TraceFileError(`trace file not found: ${p} (the default trace; is the clone complete?)`);
    return p;
  }
  if (isAbsolute(arg)) {
    if (!existsSync(arg)) throw new TraceFileError(`trace file not found: ${arg}`);
    return arg;
  }
  const bases = [process.env.INIT_CWD, process.cwd(), repoRoot].filter((b): b is string => b !== undefined);
  const tried: string[] = [];
  for (const base of bases) {
    const p = resolve(base, arg);
    if (tried.includes(p)) continue;
    if (existsSync(p)) return p;
    tried.push(p);
  }
  throw new TraceFileError(`trace file not found: ${arg} (tried ${tried.join(", ")})`);
}

/**
 * Reads a trace file and parses its JSON. Gzip is recognised by its magic
 * bytes, not the file name, so both `.json` and `.json.gz` work.
 *
 * @param path - absolute path of the file.
 * @returns the parsed JSON value (not yet validated: see `validateTrace`).
 * @throws {TraceFileError} when the file cannot be read, is a directory, is
 *   truncated or corrupt gzip, is not UTF-8 JSON.
 */
export function readTraceFile(path: string): unknown {
  let bytes: Buffer;
  try {
    if (statSync(path).isDirectory()) throw new TraceFileError(`trace file is a directory: ${path}`);
    bytes = readFileSync(path);
  } catch (e) {
    if (e instanceof TraceFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new TraceFileError(`trace file not found: ${path}`);
    throw new TraceFileError(`cannot read trace file ${path}: ${(e as Error).message}`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new TraceFileError(`trace file ${path} is not valid gzip: ${(e as Error).message}`);
    }
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new TraceFileError(`trace file ${path} is not UTF-8 text (nor gzip)`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new TraceFileError(`trace file ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

/** `path` relative to the repository root when it lies inside it, for display. */
export function displayPath(path: string, repoRoot: string): string {
  const r = relative(repoRoot, path);
  return r.startsWith("..") || isAbsolute(r) ? path : r;
}
