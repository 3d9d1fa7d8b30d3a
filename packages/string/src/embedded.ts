/**
 * The bodies of CowText's embedded-mode calls (`create`, `attach`, `free`): a text whose
 * header is a block of a heap it does not own, and whose nodes are pages of
 * that heap.
 *
 * @module
 */
import type { Heap } from "@pagefork/core";
import { applyInsert } from "./btree.js";
import { throwInvalid, throwNotString, throwReleased, throwShortAfterHook, throwTooLong } from "./errors.js";
import { header, initHeader, markStale, readHeader, upgradeHeader, writeHeader } from "./header.js";
import { HEADER_BYTES, MAX_TEXT_LENGTH, TEXT_LAYOUT_EMBEDDED } from "./layout.js";
import { isLatin1 } from "./leaf.js";
import {
  freeablePage,
  heapNeeds,
  measureHeap,
  plan,
  planFree,
  planInsert,
  type Reservable,
  requireFrames,
  reserveEdit,
} from "./plan.js";
import type { Path } from "./tree.js";
import { checkTextWritable } from "./writable.js";

/**
 * What an embedded handle knows beyond a standalone one: one object, so a
 * standalone handle (the undo-redo demo keeps 259,779 of them) pays one null
 * field for the embedded mode.
 */
export class Embedding {
  /** The heap that holds the text's header block and node pages. */
  readonly heap: Heap;
  /** Byte address of the header block (0 until `create` has malloc'd it). */
  at: number;
  /** Set by `free()`. */
  freed: boolean;
  constructor(heap: Heap, at: number) {
    this.heap = heap;
    this.at = at;
    this.freed = false;
  }
}

/** A handle as these calls see it (CowText's internal fields). */
export interface EmbeddedText extends Reservable {
  /** Null for a standalone text. */
  readonly emb: Embedding | null;
}

/**
 * `CowText.create(heap, text)`: checks, reserves the header block and the
 * text's pages and frames together (so neither can fail halfway), then
 * mallocs the header and inserts the text (planned in `path`). `make` builds
 * the handle over the header block at address 0 of `heap`. O(text.length).
 */
export function createText<T extends EmbeddedText>(
  heap: Heap,
  text: string,
  make: (heap: Heap, at: number) => T,
  isHeap: boolean,
  path: Path,
): T {
  if (!isHeap) throwInvalid("heap", heap, "a Heap from @pagefork/core");
  if (typeof text !== "string") throwNotString("create", text);
  if (heap.space.released) throwReleased("address space");
  if (text.length > MAX_TEXT_LENGTH) throwTooLong(text.length, 0);
  header.root = 0;
  header.height = 0;
  header.len = 0;
  const t = make(heap, 0);
  const k = text.length;
  const latin1 = isLatin1(text);
  if (k > 0) {
    // The header block may take a new slab page and three frames of metadata.
    planInsert(t, 0, k, latin1, path);
    checkTextWritable(t); // protection first: a read-only heap page is a fault whatever the heap and the pool hold
    plan.allocs += 1;
    reserveEdit(t, path, 0, k, 3, latin1, 1);
  }
  const emb = t.emb as Embedding;
  emb.at = heap.malloc(HEADER_BYTES);
  initHeader(heap.space, emb.at); // the block's page was just written by malloc: no fault
  if (k > 0) {
    applyInsert(t, text, latin1, path);
    writeHeader(heap.space, emb.at, t.root, t.height);
  }
  return t;
}

/**
 * `CowText.attach(heap, address)`: checks, reads the header at `address`
 * into {@link header} (which `make` hands to the constructor), raises a
 * header of an older layout version to 4, or marks the handle stale when it
 * cannot (frozen space, read-only header page: header.ts `markStale`), and
 * returns the handle `make` built. O(nodeCap). Writes nothing but that raise.
 */
export function attachText<T extends EmbeddedText>(
  heap: Heap,
  address: number,
  make: (heap: Heap, at: number) => T,
  isHeap: boolean,
): T {
  if (!isHeap) throwInvalid("heap", heap, "a Heap from @pagefork/core");
  if (heap.space.released) throwReleased("address space");
  readHeader(heap, address); // into `header`, which the constructor reads
  const upgraded = upgradeHeader(heap.space, address);
  const text = make(heap, address);
  if (!upgraded) markStale(text, TEXT_LAYOUT_EMBEDDED);
  return text;
}

/**
 * `free()` of an embedded text: every node page and the header block back
 * to the heap, after reserving the frames of the heap's bookkeeping. O(nodes).
 */
export function freeText(t: EmbeddedText): void {
  if (t.released) return;
  const emb = t.emb as Embedding;
  const heap = emb.heap;
  // Protection first (as `create`): the frees discard the text's pages and write the heap's metadata, one
  // page at a time; a read-only one stopped the free halfway (some pages back in the heap, the text still
  // pointing at them).
  checkTextWritable(t);
  planFree(t);
  // The header block's free writes its slab page and may free that page too.
  measureHeap(heap, 4);
  if (heapNeeds.frames > t.space.pool.framesAvailable()) {
    requireFrames(t, heapNeeds.frames);
    // Again, and measured again: the hook is user code. It may have planned
    // something else meanwhile, and it may have edited this text (more pages
    // to free) and forked or filled the pool; the frames checked were the
    // old plan's, and a free that needed more stopped halfway.
    planFree(t);
    measureHeap(heap, 4);
    if (heapNeeds.frames > t.space.pool.framesAvailable()) throwShortAfterHook(t.space.pool, heapNeeds.frames);
  }
  t.space.reserveFrames(heapNeeds.frames); // no hook now: the engine's allocations of every heap call below, made now
  for (let i = 0, n = plan.frees; i < n; i++) heap.freePage(freeablePage(i));
  heap.free(emb.at);
  emb.freed = true;
  t.root = 0;
  t.height = 0;
  t.len = 0;
}
