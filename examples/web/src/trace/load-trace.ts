/**
 * Loading an editing trace in the browser: fetch, gunzip with the platform's
 * `DecompressionStream`, parse, and validate with the undo-redo example's
 * `validateTrace` (imported from its source, not copied: one validator for
 * both examples).
 *
 * @module
 */
import { type EditScript, validateTrace } from "../../../undo-redo/src/trace.js";

export type { EditScript } from "../../../undo-redo/src/trace.js";

/** A trace that could not be fetched, decompressed or parsed (a malformed one throws `TraceError`). */
export class TraceLoadError extends Error {
  override readonly name = "TraceLoadError";
}

/** The first two bytes of every gzip stream (RFC 1952). */
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** Whether `bytes` starts a gzip stream. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/**
 * Decompresses one gzip stream with `DecompressionStream` (no library).
 * @throws {TraceLoadError} when the bytes are not valid gzip.
 */
export async function gunzip(bytes: Uint8Array<ArrayBuffer>, what: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new TraceLoadError(`${what} is not valid gzip: ${(e as Error).message}`);
  }
}

/**
 * Fetches the trace at `url` and validates it into an {@link EditScript}.
 * Gzip is recognised by its magic bytes, so a server that already decoded
 * the file (Content-Encoding) is handled too.
 *
 * @throws {TraceLoadError} for an HTTP error, bad gzip, text that is not UTF-8 or not JSON.
 * @throws {TraceError} (from `validateTrace`) for a malformed trace, naming the first bad patch.
 */
export async function loadTrace(url: string): Promise<EditScript> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new TraceLoadError(`cannot fetch the trace ${url}: ${(e as Error).message}`);
  }
  if (!response.ok) throw new TraceLoadError(`cannot fetch the trace ${url}: HTTP ${response.status}`);
  let bytes: Uint8Array = new Uint8Array(await response.arrayBuffer());
  if (isGzip(bytes)) bytes = await gunzip(bytes as Uint8Array<ArrayBuffer>, url);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new TraceLoadError(`the trace ${url} is not UTF-8 text (nor gzip)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new TraceLoadError(`the trace ${url} is not valid JSON: ${(e as Error).message}`);
  }
  return validateTrace(raw);
}
