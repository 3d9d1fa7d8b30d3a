/**
 * Freeing a subtree of a state: a node and everything under it, except the
 * children a replaced record lent to its replacement.
 *
 * @module
 */
import { type Ctx, handleOf, type ListHandle, type MapHandle } from "./containers.js";
import { type AnyType, isComposite, type ListType, type MapType, type StructType } from "./schema.js";
import { elementOwnsBlocks, elementPointer, fieldPointer, unwrapNullable } from "./slots.js";
import { freeString } from "./strings.js";

/** Frees the node at `node` of composite `type` and everything under it. */
export function freeNode(ctx: Ctx, type: AnyType, node: number): void {
  const heap = ctx.heap;
  const space = ctx.space;
  if (type.kind === "struct") {
    // a record replaced in a produce lent some children to its replacement (session.ts `lent`)
    const lent = (ctx as { lent?: Map<number, Set<string>> | null }).lent?.get(node);
    for (const f of (type as StructType).fields) {
      if (f.type.kind !== "string" && !isComposite(f.type)) continue;
      const p = fieldPointer(space, node, f);
      if (p <= 0 || lent?.has(f.name)) continue;
      if (f.type.kind === "string") freeString(heap, p);
      else freeNode(ctx, f.type, p);
    }
    heap.free(node);
    return;
  }
  const h = handleOf(ctx, type, node, false);
  if (h !== null) {
    if (type.kind === "list") {
      const e = (type as ListType).element;
      if (elementOwnsBlocks(e)) {
        const list = h as ListHandle;
        for (let i = 0; i < list.length; i++) freeElement(ctx, e, list.get(i) as number);
      }
    } else if (type.kind === "map") {
      const vt = unwrapNullable((type as MapType).value);
      if (isComposite(vt)) for (const x of (h as MapHandle).values()) if (x !== null) freeNode(ctx, vt, x as number);
    }
    h.free();
    ctx.handles.delete(node);
  }
  heap.free(node);
}

/** Frees what a list element slot word owns (string, node or box). */
export function freeElement(ctx: Ctx, type: AnyType, word: number): void {
  const p = elementPointer(type, word);
  if (p === 0) return;
  const inner = unwrapNullable(type);
  if (isComposite(inner)) freeNode(ctx, inner, p);
  else ctx.heap.free(p);
}
