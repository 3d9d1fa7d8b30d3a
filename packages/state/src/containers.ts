/**
 * Container nodes: the node of a list, map, set, text or typed-array value.
 * A container node is a 16-byte heap block
 *
 * ```
 * +0   f64  stamp (lineage.ts)
 * +8   f64  byte address of the embedded structure's header, 0 while empty
 * ```
 *
 * and the structure itself is one of the sibling packages' structures
 * created inside the state's heap (`CowVector`, `CowMap`, `CowSet`,
 * `CowText`, `Cow*Array`: their "in-space" mode), so a `fork()` of the
 * state's space forks every one of them at once. Lists, maps, sets and texts
 * start empty without a structure (a state of 100,000 records with an empty
 * `tags` set each pays 16 bytes a set); the first write creates it.
 *
 * The node is separate from the structure's header so that the stamp, which
 * changes with every write under it, is owned by the state and the
 * structures need no knowledge of it.
 *
 * @module
 */

import { CowVector, cowArrayClassOf } from "@pagefork/array";
import type { AddressSpace, Heap, PageSpanCursor } from "@pagefork/core";
import { type CowKey, CowMap, CowSet } from "@pagefork/map";
import { CowText } from "@pagefork/string";
import type { Lineage } from "./lineage.js";
import type { AnyType, TypedArrayType } from "./schema.js";

/** Byte offset of the structure's header address in a container node. */
export const C_HANDLE = 8;
/** Bytes of a container node. */
export const CONTAINER_BYTES = 16;

/** The embedded vector behind a list: one float64 slot per element (see slots.ts). */
export type ListHandle = CowVector<Float64ArrayConstructor>;
/** The embedded map behind a map value. */
export type MapHandle = CowMap<CowKey, unknown>;
/** The embedded set behind a set value. */
export type SetHandle = CowSet<CowKey>;
/**
 * The embedded typed array behind a typed-array value (any of the eleven
 * `Cow*Array` kinds), through the methods the state uses.
 */
export interface ArrayHandle {
  readonly address: number;
  readonly length: number;
  get(index: number): number | bigint | undefined;
  set(indexOrSource: unknown, valueOrOffset?: unknown): void;
  fill(value: unknown, start?: number, end?: number): unknown;
  copyWithin(target: number, start: number, end?: number): unknown;
  sort(compare?: unknown): unknown;
  reverse(): unknown;
  spans(
    start?: number,
    end?: number,
  ): PageSpanCursor<ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }>;
  toTypedArray(): ArrayLike<number | bigint>;
  free(): void;
}
/** Any embedded structure. */
export type Handle = ListHandle | MapHandle | SetHandle | CowText | ArrayHandle;

/** Where values are read and written: a version's space (frozen) or a draft's (writable). */
export interface Ctx {
  readonly space: AddressSpace;
  readonly heap: Heap;
  readonly lineage: Lineage;
  /** Embedded structures attached so far, by container node address. */
  readonly handles: Map<number, Handle>;
}

interface ArrayClass {
  create(heap: Heap, lengthOrSource: number | ArrayLike<number> | ArrayLike<bigint>): ArrayHandle;
  attach(heap: Heap, address: number): ArrayHandle;
}

/** The Cow class of a typed-array type (its `ctor` is one of the eleven kinds: the schema checked it). */
export function arrayClass(type: TypedArrayType): ArrayClass {
  return cowArrayClassOf(type.ctor) as unknown as ArrayClass;
}

/** A new empty structure of a list, map, set or text type in `heap`. */
function createHandle(heap: Heap, type: AnyType): Handle {
  switch (type.kind) {
    case "list":
      return CowVector.create(heap, Float64Array);
    case "map":
      return CowMap.create(heap);
    case "set":
      return CowSet.create(heap);
    case "text":
      return CowText.create(heap);
    default:
      throw new Error(`unreachable: no empty structure for ${type.describe()}`);
  }
}

/** The handle of the structure whose header is at `address`. O(1); writes nothing. */
function attachHandle(heap: Heap, type: AnyType, address: number): Handle {
  switch (type.kind) {
    case "list":
      return CowVector.attach(heap, address) as ListHandle;
    case "map":
      return CowMap.attach(heap, address);
    case "set":
      return CowSet.attach(heap, address);
    case "text":
      return CowText.attach(heap, address);
    default:
      return arrayClass(type as TypedArrayType).attach(heap, address);
  }
}

/**
 * The embedded structure of the container node at `node`, attached (and
 * cached in `ctx.handles`); null while the container is empty, unless
 * `create` (then an empty structure is made and the node points at it).
 */
export function handleOf(ctx: Ctx, type: AnyType, node: number, create: boolean): Handle | null {
  const cached = ctx.handles.get(node);
  if (cached !== undefined) return cached;
  const space = ctx.space;
  const addr = space.getFloat64(node + C_HANDLE);
  let h: Handle;
  if (addr !== 0) h = attachHandle(ctx.heap, type, addr);
  else if (!create) return null;
  else {
    h = createHandle(ctx.heap, type);
    try {
      space.setFloat64(node + C_HANDLE, h.address);
    } catch (e) {
      h.free();
      throw e;
    }
  }
  ctx.handles.set(node, h);
  return h;
}

/** Allocates a container node with a new stamp, pointing at `handle` (0: empty). */
export function allocContainer(ctx: Ctx, handle: number): number {
  const node = ctx.heap.malloc(CONTAINER_BYTES);
  const space = ctx.space;
  space.setFloat64(node, ctx.lineage.stamp());
  space.setFloat64(node + C_HANDLE, handle);
  return node;
}
