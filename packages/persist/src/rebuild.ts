/**
 * Rebuilding a version on load, per kind of structure: a fresh space of the
 * saved size (or a fork of the version before it in a history) for its
 * pages, then the structure's handle over it, from the numbers its record
 * keeps beside the pages (see kinds.ts for what they are and how a save
 * takes a version apart). A record whose numbers do not fit its pages is a
 * CorruptionError.
 *
 * @module
 */
import { adoptVector, CowTypedArray, CowVector, cowArrayClassOf } from "@pagefork/array";
import { AddressSpace, type FramePool, InvalidArgumentError, isAddressSpace, type Protection } from "@pagefork/core";
import { adoptCollection, type CollectionState, CowMap, CowSet } from "@pagefork/map";
import { type AnyType, attachState, State, schemaFingerprint } from "@pagefork/state";
import { adoptText, CowText } from "@pagefork/string";
import { throwCorrupt } from "./errors.js";
import { type KindMeta, type Persistable, PROTECTIONS } from "./kinds.js";

/**
 * Gives `space` (of `size` bytes) the saved `mappings`: unmaps the gaps
 * between them and sets the read-only ones. Every byte of `space` must be
 * mapped read-write before.
 */
function applyMappings(space: AddressSpace, size: number, mappings: number[][]): void {
  for (const [start, end, prot] of mappings) {
    const p = PROTECTIONS[prot as number] as Protection;
    if (p !== "read-write") space.protect(start as number, (end as number) - (start as number), p);
  }
  let at = 0;
  for (const [start, end] of mappings) {
    if ((start as number) > at) space.unmap(at, (start as number) - at);
    at = end as number;
  }
  if (at < size) space.unmap(at, size - at);
}

/**
 * Refuses saved `mappings` that a save cannot have written: not a list of
 * [start, end, protection] with page-aligned bounds in order inside a space
 * of `size` bytes, and a protection index of PROTECTIONS. Without this check
 * such a record failed in `protect`/`unmap` with an InvalidArgumentError
 * about arguments the caller never passed, or a TypeError.
 * @throws {CorruptionError} naming the version.
 */
function checkMappings(name: string, mappings: unknown, size: number, ps: number): void {
  let at = 0;
  const ok =
    Array.isArray(mappings) &&
    mappings.every((m: unknown) => {
      if (!Array.isArray(m) || m.length !== 3) return false;
      const [start, end, prot] = m as unknown[];
      const fits =
        Number.isSafeInteger(start) &&
        Number.isSafeInteger(end) &&
        (start as number) >= at &&
        (end as number) > (start as number) &&
        (end as number) <= size &&
        (start as number) % ps === 0 &&
        (end as number) % ps === 0 &&
        (prot === 0 || prot === 1);
      at = end as number;
      return fits;
    });
  if (!ok) throwCorrupt(name, null, "a space record whose mappings do not fit its space");
}

/** Maps every gap of `space` read-write (a fork of a vector's space, before pages beyond its capacity are written). */
function mapAll(space: AddressSpace): void {
  let at = 0;
  for (const m of space.mappings()) {
    if (m.start > at) space.map(at, m.start - at);
    at = m.end;
  }
  if (at < space.size) space.map(at, space.size - at);
}

/** Runs `adopt` (a package's adoptX); a refusal means the record's numbers do not fit its pages: CorruptionError. */
function adopted<T>(name: string, what: string, adopt: () => T): T {
  try {
    return adopt();
  } catch (e) {
    if (e instanceof InvalidArgumentError)
      throwCorrupt(name, null, `the saved ${what} does not fit its pages: ${e.message}`, e);
    throw e;
  }
}

/** A fresh space of `size` bytes for `kind`, and how to make the version once its pages are written. */
export interface Rebuild {
  readonly space: AddressSpace;
  /** True when `space` is a fork of the given previous version's (it holds that version's pages), false when empty. */
  readonly forked: boolean;
  /** Makes the version (owning `space`). */
  finish(): Persistable;
  /** Releases what `space` belongs to, after a failed load. */
  abort(): void;
}

/**
 * Starts rebuilding a version of `kind` in `pool`: an empty space of the
 * saved size for the pages, and the step that wraps it afterwards.
 * @throws {InvalidArgumentError} when a state has no `schema`, or `kind` is unknown (a newer format).
 */
export function rebuild(
  name: string,
  kind: string,
  size: number,
  meta: KindMeta,
  pool: FramePool,
  schema: AnyType | undefined,
  from: Persistable | null = null,
): Rebuild {
  if (kind === "space") {
    checkMappings(name, meta.mappings, size, pool.pageSize);
    // A fork is writable unless a mapping is read-only or missing: then start empty.
    const whole = (m: { start: number; end: number; protection: Protection }[]) =>
      m.length === 1 && m[0]?.start === 0 && m[0]?.end === size && m[0]?.protection === "read-write";
    const forked = isAddressSpace(from) && from.pool === pool && whole(from.mappings());
    const space = forked ? (from as AddressSpace).fork() : new AddressSpace({ size, pool });
    return {
      space,
      forked,
      finish() {
        applyMappings(space, size, meta.mappings as number[][]);
        if (meta.frozen === true) space.freeze();
        return space;
      },
      abort: () => space.release(),
    };
  }
  if (kind.startsWith("array:")) {
    const Ctor = cowArrayClassOf(kind.slice(6));
    if (Ctor === undefined) throw new InvalidArgumentError("kind", kind, "a kind this version of the store knows");
    const bytes = Ctor.BYTES_PER_ELEMENT;
    const { byteOffset: at, length: n } = meta;
    // Checked here: a window outside the space was clamped by subarray (a shorter array, silently).
    if (
      !Number.isSafeInteger(at) ||
      !Number.isSafeInteger(n) ||
      (at as number) < 0 ||
      (n as number) < 0 ||
      (at as number) % bytes !== 0 ||
      (at as number) + (n as number) * bytes > size
    )
      throwCorrupt(name, null, `an array record whose window (byteOffset ${at}, length ${n}) is not one of its space`);
    if (
      from instanceof CowTypedArray &&
      from.space.pool === pool &&
      from.byteOffset === meta.byteOffset &&
      from.length === meta.length
    ) {
      const f = from.fork();
      return { space: f.space, forked: true, finish: () => frozenAsSaved(meta, f), abort: () => f.release() };
    }
    const full = new Ctor(size / bytes, { pool });
    return {
      space: full.space,
      forked: false,
      finish() {
        const off = (meta.byteOffset as number) / bytes;
        const len = meta.length as number;
        if (off === 0 && len === full.length) return frozenAsSaved(meta, full);
        const view = full.subarray(off, off + len);
        full.release(); // the view keeps the space
        return frozenAsSaved(meta, view);
      },
      abort: () => full.release(),
    };
  }
  if (kind === "text" || kind === "map" || kind === "set" || kind === "vector") {
    // The pages go into a fork of the previous version's space (a history) or an empty space;
    // the package then rebuilds the structure over it, checking the saved numbers.
    const same =
      kind === "text"
        ? from instanceof CowText
        : kind === "vector"
          ? from instanceof CowVector
          : kind === "map"
            ? from instanceof CowMap
            : from instanceof CowSet;
    const prev = same ? (from as CowText | CowVector<Float64ArrayConstructor> | CowMap | CowSet).space : null;
    const forked = prev !== null && prev.pool === pool && prev.size === size;
    const space = forked ? (prev as AddressSpace).fork() : new AddressSpace({ size, pool });
    if (kind === "vector" && forked) mapAll(space);
    return {
      space,
      forked,
      finish(): Persistable {
        if (kind === "text") {
          // meta.leafCap (in records of the first release) follows from the page size, checked by the caller.
          const st = { root: meta.root as number, height: meta.height as number, length: meta.len as number };
          return frozenAsSaved(
            meta,
            adopted(name, "text", () => {
              const text = adoptText(space, st);
              // A read finds the lagging path, checking the saved length against the pages
              // (O(nodes), once: a load read every page already). The versions of a history
              // after its first leave it to their first read, as adoption does: 70 us a version
              // of an 81k-unit text, about 420 ms of a ~1.6 s load of 6,000.
              if (from === null) text.charCodeAt(0);
              return text;
            }),
          );
        }
        if (kind === "vector") {
          const mappings = meta.mappings;
          if (!Array.isArray(mappings)) return throwCorrupt(name, null, "a vector record without its mappings");
          const st = { kind: meta.type as string, length: meta.length as number, maxLength: meta.maxLength as number };
          return frozenAsSaved(
            meta,
            adopted(name, "vector", () => {
              applyMappings(space, size, mappings as number[][]); // a refusal here too: mappings that do not fit
              return adoptVector(space, st);
            }),
          );
        }
        const st = {
          type: kind === "map" ? "CowMap" : "CowSet",
          mask: meta.mask,
          used: meta.used,
          garbage: meta.garbage,
          size: meta.size,
          layout: meta.layout, // absent in a record of format 1 or 2: layout 1
        } as CollectionState;
        return frozenAsSaved(meta, adopted(name, kind, () => adoptCollection(space, st)) as CowMap | CowSet);
      },
      abort: () => space.release(),
    };
  }
  if (kind === "state") {
    if (schema === undefined) throw new InvalidArgumentError("schema", schema, "the schema of the saved State");
    // Records saved before the fingerprint was kept have none: they load with any schema, as they did.
    if (typeof meta.schema === "string" && meta.schema !== schemaFingerprint(schema))
      throw new InvalidArgumentError("schema", schema, `the schema the State was saved with: ${meta.schema}`);
    const forked = from instanceof State && from.space.pool === pool;
    const space = forked ? (from as State).space.fork() : new AddressSpace({ size, pool });
    return {
      space,
      forked,
      // A history's next version joins its predecessor's lineage (its pages came from the same one):
      // they can then be diffed, as the saved versions could.
      finish: () =>
        attachState(schema, space, {
          nextStamp: meta.nextStamp as number,
          ...(forked ? { lineageOf: from as State } : {}),
        }),
      abort: () => space.release(),
    };
  }
  throw new InvalidArgumentError("kind", kind, "a kind this version of the store knows");
}

/**
 * Freezes the space of a rebuilt version `v` when it was saved frozen
 * (`meta.frozen`), after its package has adopted it (adoption may write).
 * Records saved before the flag was kept for every kind have no `frozen`:
 * they load writable, as they did.
 */
function frozenAsSaved<T extends { readonly space: AddressSpace }>(meta: KindMeta, v: T): T {
  if (meta.frozen === true) v.space.freeze();
  return v;
}
