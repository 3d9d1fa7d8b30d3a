/**
 * The codec of values that are not stored inline: msgpackr in structured-clone
 * mode (`new Packr({ structuredClone: true })`: object identity and cycles,
 * Map, Set, Date, RegExp, Error, ArrayBuffer, DataView, every TypedArray,
 * bigints of any size), behind a walk that gives it `structuredClone`'s rules.
 *
 * The walk (one pass over the value, reading every property once, as
 * `structuredClone` does) builds a snapshot of plain containers that
 * msgpackr encodes exactly, recognises built-ins by their internal slots
 * as `structuredClone` does (a Map from another realm is a Map; an
 * `Object.create(Map.prototype)` is a plain object), and:
 * - refuses with {@link DataCloneError} what `structuredClone` refuses
 *   (functions, symbols, WeakMap, WeakSet, WeakRef, FinalizationRegistry,
 *   Promise, generators, Intl objects, arguments objects, the global object;
 *   another realm's too, by slot, or by tag where no method checks the slot
 *   without side effects)
 *   and what cannot be stored by value (SharedArrayBuffer and views on one,
 *   Blob, whose bytes are only readable asynchronously), and what msgpackr
 *   would change (an own property named `__proto__`, which it renames;
 *   property names with lone surrogates);
 * - records a patch for what msgpackr would otherwise alter: -0 (written as
 *   the integer 0), strings with lone surrogates (UTF-8 cannot carry them),
 *   array holes (left out of the snapshot; one patch per array lists their
 *   runs, so a sparse array costs its elements), boxed primitives (written as
 *   empty objects) and an Error's missing cause (written as undefined).
 *   Patches are encoded next to the snapshot and applied after decoding;
 *   a value needing none costs nothing extra.
 *
 * Known differences from `structuredClone`, documented in the README: an
 * Error keeps name, message and cause but not its stack; a typed array or
 * DataView comes back over a buffer of its own bytes (byteOffset 0), so two
 * views of one buffer come back over two buffers; a resizable ArrayBuffer
 * comes back fixed-length; non-index properties of arrays are not kept.
 *
 * @module
 */
import { Packr } from "msgpackr";
import { DataCloneError, StructureValueError, throwStructureValue } from "./errors.js";
import { coreObjectName, stateNodeName, storeInstead, structureName } from "./structure.js";

/**
 * One encoder/decoder for every map: records (the default) are written with
 * their definitions inline when no shared `structures` are given, so each
 * value decodes on its own (verified: a value packed after others of the same
 * shape decodes with a fresh Packr). `useToJSON: false`: structuredClone
 * ignores toJSON. `copyBuffers: true`: decoded typed arrays must not alias
 * the scratch buffer values are read into.
 */
const packr = new Packr({ structuredClone: true, useToJSON: false, copyBuffers: true });

// Where a patch applies inside its container.
const AT_PROPERTY = 0;
const AT_MAP_KEY = 1;
const AT_MAP_VALUE = 2;
const AT_SET_ELEMENT = 3;
// What a patch restores.
const FIX_NEG_ZERO = 0;
const FIX_STRING = 1;
const FIX_HOLE = 2;
/**
 * An array with holes: the snapshot holds its elements only, in order, and
 * the patch `[FIX_SPARSE, length, runs]` (runs: `[start, end)` pairs of
 * holes, in order) spreads them back to their indices on decode, in place.
 * One patch per array, bytes per element and per run, not per hole: a
 * length-200,000 array with three elements took 3.4 MB and seconds with a
 * patch per hole. Values stored before it used FIX_HOLE per hole and still decode.
 */
const FIX_SPARSE = 4;
const FIX_BOXED = 3;
/** Kinds of boxed primitive inside a FIX_BOXED payload. */
const BOX_NUMBER = 0;
const BOX_STRING = 1;
const BOX_BOOLEAN = 2;
const BOX_BIGINT = 3;

/** A lone surrogate: with the `u` flag, paired surrogates form one code point and do not match. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

const GeneratorPrototype = Object.getPrototypeOf(function* () {}).prototype as object;
const AsyncGeneratorPrototype = Object.getPrototypeOf(async function* () {}).prototype as object;
/** Intl's constructors (its properties are not enumerable; getCanonicalLocales and friends are plain functions). */
const intlClasses = Object.getOwnPropertyNames(Intl)
  .map((name) => (Intl as unknown as Record<string, unknown>)[name])
  .filter((c): c is new () => object => typeof c === "function" && typeof c.prototype === "object");
const BlobClass = (globalThis as unknown as { Blob?: new () => object }).Blob;

/** The bytes of an encoded value and whether patches must be applied when decoding it. */
export interface Encoded {
  bytes: Uint8Array;
  patched: boolean;
}

/**
 * Encodes `value` (an object, or a bigint outside int64) for storage.
 * Reads each property once; the returned bytes are valid until the next call.
 * @throws {DataCloneError} for a value that cannot be stored (see the module doc).
 */
export function encode(value: unknown): Encoded {
  const w = new Walk();
  const snapshot = w.value(value, null, AT_PROPERTY, 0);
  const patched = w.patches.length > 0;
  try {
    return { bytes: packr.pack(patched ? [snapshot, w.patches] : snapshot), patched };
  } catch (e) {
    // The walk refuses everything msgpackr would; this is a safety net.
    throw new DataCloneError("value", `the codec refused it (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Decodes bytes from {@link encode}. */
export function decode(bytes: Uint8Array, patched: boolean): unknown {
  const v = packr.unpack(bytes);
  if (!patched) return v;
  const [root, patches] = v as [unknown, unknown[][]];
  return applyPatches(root, patches);
}

/** The snapshot walk: a copy of the value's containers, patches, and the path for error messages. */
class Walk {
  readonly memo: Map<object, unknown>;
  /** The fix of each boxed primitive seen: every reference to one box gets a patch naming the same fix. */
  readonly boxes: Map<object, unknown[]>;
  readonly patches: unknown[][];
  readonly path: (string | number)[];
  constructor() {
    this.memo = new Map();
    this.boxes = new Map();
    this.patches = [];
    this.path = [];
  }

  /** The snapshot of `v`, found at `where`/`key` of `container` (null: the root). */
  value(v: unknown, container: object | null, where: number, key: string | number): unknown {
    switch (typeof v) {
      case "number":
        if (v === 0 && 1 / v < 0) return this.patch(container, where, key, [FIX_NEG_ZERO]);
        return v;
      case "string":
        if (LONE_SURROGATE.test(v)) return this.patch(container, where, key, [FIX_STRING, units(v)]);
        return v;
      case "boolean":
      case "undefined":
      case "bigint":
        return v;
      case "object":
        return v === null ? null : this.object(v, container, where, key);
      case "symbol":
        return this.refuse("a symbol cannot be cloned");
      default:
        return this.refuse("a function cannot be cloned");
    }
  }

  /** Records a patch and returns the placeholder the snapshot holds meanwhile (unique where keys must be). */
  private patch(container: object | null, where: number, key: string | number, fix: unknown[]): unknown {
    this.patches.push([container, where, key, fix]);
    return where === AT_MAP_KEY || where === AT_SET_ELEMENT ? {} : null;
  }

  private object(o: object, container: object | null, where: number, key: string | number): unknown {
    const seen = this.memo.get(o);
    if (seen !== undefined) return seen;
    // Before the Array/Map/Set tests: a state view may be a Proxy over an array or a Map with empty slots.
    const node = stateNodeName(o);
    if (node !== null) this.refuseStructure(node, "");
    if (Array.isArray(o)) return this.array(o);
    // Same-realm built-ins by instanceof (a subclass with its own tag included), each confirmed by its
    // internal slot: an Object.create(Map.prototype) has none and is a plain object, as for structuredClone.
    if (o instanceof Map) {
      if (hasMapData(o)) return this.map(o);
    } else if (o instanceof Set) {
      if (hasSetData(o)) return this.set(o);
    } else if (o instanceof Date) {
      if (hasDateValue(o)) return this.keep(o, new Date(Date.prototype.getTime.call(o)));
    } else if (o instanceof RegExp) {
      if (isRegExp(o)) return this.keep(o, new RegExp(o.source, o.flags));
    } else if (o instanceof ArrayBuffer) {
      if (isArrayBuffer(o)) return this.keep(o, o);
    } else if (o instanceof Error) {
      if (Object.prototype.toString.call(o) === "[object Error]") return this.error(o);
    }
    if (ArrayBuffer.isView(o)) {
      if (!isArrayBuffer(o.buffer)) return this.refuse("a view of a SharedArrayBuffer cannot be stored by value");
      return this.keep(o, o instanceof Object ? o : localView(o));
    }
    let boxed = this.boxes.get(o);
    if (boxed === undefined) {
      const fix = boxedFix(o);
      if (fix !== null) {
        boxed = fix;
        this.boxes.set(o, fix);
      }
    }
    if (boxed !== undefined) return this.patch(container, where, key, boxed);
    const tag = Object.prototype.toString.call(o);
    this.refuseExotic(o, tag);
    const proto = Object.getPrototypeOf(o);
    if (proto === Object.prototype || proto === null) return this.plain(o);
    // A built-in of another realm (a vm context, an iframe): instanceof fails, its tag and slots do not.
    const foreign = this.foreign(o, tag);
    if (foreign !== NOT_BUILTIN) return foreign;
    const foreignBox = foreignBoxedFix(o, tag);
    if (foreignBox !== null) {
      this.boxes.set(o, foreignBox);
      return this.patch(container, where, key, foreignBox);
    }
    // A class instance: a pagefork structure keeps its contents out of its fields (structure.ts).
    const name = structureName(o, tag.slice(8, -1));
    if (name !== null) this.refuseStructure(name, "");
    return this.instance(o, proto as object);
  }

  /** The snapshot of a built-in of another realm, by its tag and internal slots; NOT_BUILTIN for anything else. */
  private foreign(o: object, tag: string): unknown {
    switch (tag) {
      case "[object Map]":
        return hasMapData(o) ? this.map(o as Map<unknown, unknown>) : NOT_BUILTIN;
      case "[object Set]":
        return hasSetData(o) ? this.set(o as Set<unknown>) : NOT_BUILTIN;
      case "[object Date]":
        return hasDateValue(o) ? this.keep(o, new Date(Date.prototype.getTime.call(o))) : NOT_BUILTIN;
      case "[object RegExp]":
        return isRegExp(o) ? this.keep(o, new RegExp((o as RegExp).source, (o as RegExp).flags)) : NOT_BUILTIN;
      case "[object ArrayBuffer]":
        return isArrayBuffer(o) ? this.keep(o, new Uint8Array(new Uint8Array(o as ArrayBuffer)).buffer) : NOT_BUILTIN;
      case "[object Error]":
        return this.error(o as Error);
      default:
        this.refuseForeignExotic(o, tag);
        return NOT_BUILTIN;
    }
  }

  /**
   * Refuses what structuredClone refuses among objects of another realm, which
   * {@link Walk.refuseExotic}'s `instanceof` tests miss: by internal slot where
   * a side-effect-free native method checks one (WeakMap, WeakSet, WeakRef,
   * FinalizationRegistry, SharedArrayBuffer, Symbol objects), else by tag on an
   * object that is not of this realm (Promise, generators, Intl objects: their
   * methods that check the slot would run or settle them), and a global object
   * (its own `globalThis` is itself). Without this they were stored as `{}`.
   */
  private refuseForeignExotic(o: object, tag: string): void {
    const name = tag.slice(8, -1);
    switch (tag) {
      case "[object WeakMap]":
      case "[object WeakSet]":
      case "[object WeakRef]":
      case "[object FinalizationRegistry]":
        if (hasSlotOf(name, o)) this.refuse(`a ${name} cannot be cloned`);
        return;
      case "[object SharedArrayBuffer]":
        if (hasSlotOf(name, o)) this.refuse("a SharedArrayBuffer cannot be stored by value");
        return;
      case "[object Symbol]":
        if (hasSlotOf(name, o)) this.refuse("a Symbol object cannot be cloned");
        return;
    }
    if (o instanceof Object) return; // this realm's: refuseExotic has seen it
    if (tag === "[object Promise]") this.refuse("a Promise cannot be cloned");
    if (tag === "[object Generator]" || tag === "[object AsyncGenerator]") this.refuse("a generator cannot be cloned");
    if (tag.startsWith("[object Intl.")) this.refuse(`an ${name} cannot be cloned`);
    if (Object.getOwnPropertyDescriptor(o, "globalThis")?.value === o) this.refuse("a global object cannot be cloned");
  }

  private map(o: Map<unknown, unknown>): Map<unknown, unknown> {
    const m = new Map<unknown, unknown>();
    this.memo.set(o, m);
    let i = 0;
    for (const [k, v] of Map.prototype.entries.call(o)) {
      this.path.push(`<key ${i}>`);
      const sk = this.value(k, m, AT_MAP_KEY, i);
      this.path.pop();
      this.path.push(`<value ${i}>`);
      m.set(sk, this.value(v, m, AT_MAP_VALUE, i));
      this.path.pop();
      i++;
    }
    return m;
  }

  private set(o: Set<unknown>): Set<unknown> {
    const s = new Set<unknown>();
    this.memo.set(o, s);
    let i = 0;
    for (const e of Set.prototype.values.call(o)) {
      this.path.push(`<element ${i}>`);
      s.add(this.value(e, s, AT_SET_ELEMENT, i));
      this.path.pop();
      i++;
    }
    return s;
  }

  private keep(o: object, snapshot: unknown): unknown {
    this.memo.set(o, snapshot);
    return snapshot;
  }

  private array(o: unknown[]): unknown[] {
    const n = o.length;
    const a = new Array<unknown>(n);
    this.memo.set(o, a);
    // Elements go to a[j], j counting elements only; holes are noted as runs (see FIX_SPARSE).
    let j = 0;
    let runs: number[] | null = null;
    let hole = -1; // start of the run of holes being read, -1 when none
    for (let i = 0; i < n; i++) {
      const v = o[i];
      if (v === undefined && !(i in o)) {
        if (hole < 0) hole = i;
        continue;
      }
      if (hole >= 0) {
        if (runs === null) runs = [];
        runs.push(hole, i);
        hole = -1;
      }
      this.path.push(i);
      a[j] = this.value(v, a, AT_PROPERTY, j);
      j++;
      this.path.pop();
    }
    if (hole >= 0) {
      if (runs === null) runs = [];
      runs.push(hole, n);
    }
    if (runs !== null) {
      a.length = j;
      this.patch(a, AT_PROPERTY, 0, [FIX_SPARSE, n, runs]);
    }
    return a;
  }

  /** Own enumerable string-keyed properties, in order, into a plain object (prototype dropped, as structuredClone). */
  private plain(o: object): object {
    const copy: Record<string, unknown> = {};
    this.memo.set(o, copy);
    const src = o as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      this.path.push(k);
      this.checkName(k);
      copy[k] = this.value(src[k], copy, AT_PROPERTY, k);
      this.path.pop();
    }
    return copy;
  }

  /**
   * A class instance, as {@link Walk.plain} (its prototype dropped, as
   * structuredClone drops it), but each field is read first: one holding a
   * core object (a CowText's or a State's `space`) is refused as what it is,
   * a pagefork structure, before anything inside it is walked.
   */
  private instance(o: object, proto: object): object {
    const keys = Object.keys(o);
    const src = o as Record<string, unknown>;
    const values = new Array<unknown>(keys.length);
    for (let i = 0; i < keys.length; i++) values[i] = src[keys[i] as string];
    for (let i = 0; i < keys.length; i++) {
      const v = values[i];
      const core = typeof v === "object" && v !== null ? coreObjectName(v) : null;
      if (core === null) continue;
      const ctor = (proto as { constructor?: unknown }).constructor;
      const name = typeof ctor === "function" && ctor.name !== "" ? ctor.name : "class instance";
      this.path.push(keys[i] as string);
      const at = this.pathString();
      this.path.pop();
      this.refuseStructure(name, `${core} (${at})`);
    }
    const copy: Record<string, unknown> = {};
    this.memo.set(o, copy);
    let method = -1;
    for (let i = 0; i < keys.length && method < 0; i++) if (typeof values[i] === "function") method = i;
    if (method >= 0) this.withMethods(proto, keys, values, copy, method);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      this.path.push(k);
      this.checkName(k);
      copy[k] = this.value(values[i], copy, AT_PROPERTY, k);
      this.path.pop();
    }
    return copy;
  }

  /**
   * A class instance with a function in a field (a bound method, say):
   * refused, as structuredClone refuses it, but its other fields are walked
   * first, so that an object with behaviour holding a pagefork structure
   * deeper inside is refused as what it is (StructureValueError naming it
   * and what it holds) rather than by its first method. A @pagefork/state
   * Store is one: bound getState/setState/subscribe first, its versions'
   * States in an array of steps. Never returns.
   */
  private withMethods(proto: object, keys: string[], values: unknown[], copy: object, method: number): never {
    const depth = this.path.length;
    for (let i = 0; i < keys.length; i++) {
      const v = values[i];
      if (typeof v === "function") continue;
      const k = keys[i] as string;
      this.path.push(k);
      this.checkName(k);
      try {
        this.value(v, copy, AT_PROPERTY, k);
      } catch (e) {
        if (!(e instanceof StructureValueError)) throw e;
        this.path.length = depth;
        const ctor = (proto as { constructor?: unknown }).constructor;
        const name = typeof ctor === "function" && ctor.name !== "" ? ctor.name : "class instance";
        const held = `${e.structure} (${e.path})`;
        // A @pagefork/state Store holds its versions: its current one, as plain data, is what fits.
        const instead =
          name === "Store" && e.structure === "State" ? "current(x.getState().root) from @pagefork/state" : "";
        throwStructureValue(this.pathString(), name, held, instead);
      }
      this.path.pop();
    }
    this.path.push(keys[method] as string);
    return this.refuse("a function cannot be cloned");
  }

  /** Refuses property names msgpackr would change. */
  private checkName(k: string): void {
    if (k === "__proto__") this.refuse('an own property named "__proto__" is renamed by the codec');
    if (LONE_SURROGATE.test(k)) this.refuse("a property name with a lone surrogate cannot be encoded");
  }

  /** An Error keeps its name (one of the standard ones, else "Error", as structuredClone), message and cause. */
  private error(o: Error): Error {
    const name = STANDARD_ERRORS.has(o.name) ? o.name : "Error";
    // An own cause only, as structuredClone (one on the prototype is not kept).
    const hasCause = Object.hasOwn(o, "cause");
    const message = Object.hasOwn(o, "message") ? String(o.message) : "";
    const e = new Error(message);
    e.name = name;
    this.memo.set(o, e);
    // msgpackr's UTF-8 would turn a lone surrogate of the message into U+FFFD: patched as any string.
    if (LONE_SURROGATE.test(message)) this.patch(e, AT_PROPERTY, "message", [FIX_STRING, units(message)]);
    if (hasCause) {
      this.path.push("cause");
      (e as { cause?: unknown }).cause = this.value(o.cause, e, AT_PROPERTY, "cause");
      this.path.pop();
    } else this.patch(e, AT_PROPERTY, "cause", [FIX_HOLE]); // msgpackr always writes a cause: delete it again
    return e;
  }

  /** Refuses what structuredClone refuses; `tag` is `Object.prototype.toString.call(o)`. */
  private refuseExotic(o: object, tag: string): void {
    if (o instanceof WeakMap || o instanceof WeakSet) this.refuse(`a ${o.constructor.name} cannot be cloned`);
    if (o instanceof WeakRef || o instanceof FinalizationRegistry)
      this.refuse(`a ${o.constructor.name} cannot be cloned`);
    if (o instanceof Promise) this.refuse("a Promise cannot be cloned");
    if (o instanceof SharedArrayBuffer) this.refuse("a SharedArrayBuffer cannot be stored by value");
    if (o instanceof Symbol) this.refuse("a Symbol object cannot be cloned");
    if (BlobClass !== undefined && o instanceof BlobClass)
      this.refuse("a Blob's bytes can only be read asynchronously: store await blob.arrayBuffer() instead");
    if (inherits(o, GeneratorPrototype) || inherits(o, AsyncGeneratorPrototype))
      this.refuse("a generator cannot be cloned");
    for (const c of intlClasses) if (o instanceof c) this.refuse(`an Intl.${c.name} cannot be cloned`);
    if (o === globalThis) this.refuse("the global object cannot be cloned");
    if (tag === "[object Arguments]") this.refuse("an arguments object cannot be cloned");
  }

  private refuse(what: string): never {
    throw new DataCloneError(this.pathString(), what);
  }

  /** Refuses a pagefork structure at the current path (see StructureValueError for `holding`). */
  private refuseStructure(name: string, holding: string): never {
    return throwStructureValue(this.pathString(), name, holding, storeInstead(name));
  }

  /** The current path, JS-like: `value.items[3] <key 0>`. */
  private pathString(): string {
    let p = "value";
    for (const k of this.path)
      p +=
        typeof k === "number"
          ? `[${k}]`
          : /^[A-Za-z_$][\w$]*$/.test(k)
            ? `.${k}`
            : k.startsWith("<")
              ? ` ${k}`
              : `[${JSON.stringify(k)}]`;
    return p;
  }
}

/** What {@link Walk.foreign} returns for an object that is no built-in. */
const NOT_BUILTIN: unique symbol = Symbol("not a built-in");

// Internal-slot tests, realm-independent: each native method throws a TypeError for a receiver without
// its slot (an object made with Object.create(Map.prototype), say), whatever its prototype or tag says.
const mapHas = Map.prototype.has;
const setHas = Set.prototype.has;
const dateTime = Date.prototype.getTime;
const regExpSource = Object.getOwnPropertyDescriptor(RegExp.prototype, "source")?.get as (this: unknown) => string;
const bufferBytes = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength")?.get as (
  this: unknown,
) => number;

function slotted(method: (this: unknown, ...a: unknown[]) => unknown, o: unknown): boolean {
  try {
    method.call(o);
    return true;
  } catch {
    return false;
  }
}
const hasMapData = (o: unknown): boolean => slotted(mapHas, o);
const hasSetData = (o: unknown): boolean => slotted(setHas, o);
const hasDateValue = (o: unknown): boolean => slotted(dateTime, o);
/** RegExp.prototype itself answers `source` ("(?:)") but is no RegExp. */
const isRegExp = (o: unknown): boolean => o !== RegExp.prototype && slotted(regExpSource, o);
/** An ArrayBuffer (not a SharedArrayBuffer, whose byteLength getter is another one). */
const isArrayBuffer = (o: unknown): boolean => slotted(bufferBytes, o);

/**
 * Side-effect-free native methods that throw a TypeError for a receiver
 * without the slot of the class they are named after, called by
 * {@link slotted} with no argument (`has(undefined)` is false for any
 * WeakMap or WeakSet). FinalizationRegistry's `unregister` needs an object
 * token: one never registered changes nothing. SharedArrayBuffer may be
 * absent (a page that is not cross-origin isolated).
 */
const slotTests: Record<string, ((this: unknown) => unknown) | undefined> = {
  WeakMap: WeakMap.prototype.has as (this: unknown) => unknown,
  WeakSet: WeakSet.prototype.has as (this: unknown) => unknown,
  WeakRef: WeakRef.prototype.deref,
  FinalizationRegistry: unregisterProbe,
  SharedArrayBuffer:
    typeof SharedArrayBuffer === "function"
      ? (Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, "byteLength")?.get as (this: unknown) => number)
      : undefined,
  Symbol: Symbol.prototype.valueOf,
};
/** A token no FinalizationRegistry holds. */
const SLOT_PROBE = {};
function unregisterProbe(this: unknown): unknown {
  return FinalizationRegistry.prototype.unregister.call(this as FinalizationRegistry<unknown>, SLOT_PROBE);
}

/** True when `o` has the internal slot of the class `name` (a key of {@link slotTests}), whatever its realm. */
function hasSlotOf(name: string, o: object): boolean {
  const test = slotTests[name];
  return test !== undefined && slotted(test, o);
}

/**
 * The patch restoring a boxed primitive of another realm (which the
 * `instanceof` tests of {@link boxedFixOf} miss: it was stored as `{}`), or
 * null: by tag, confirmed by the `valueOf` that checks the slot.
 */
function foreignBoxedFix(o: object, tag: string): unknown[] | null {
  try {
    switch (tag) {
      case "[object Number]":
        return [FIX_BOXED, BOX_NUMBER, new Float64Array([Number.prototype.valueOf.call(o)])];
      case "[object String]":
        return [FIX_BOXED, BOX_STRING, units(String.prototype.valueOf.call(o))];
      case "[object Boolean]":
        return [FIX_BOXED, BOX_BOOLEAN, Boolean.prototype.valueOf.call(o)];
      case "[object BigInt]":
        return [FIX_BOXED, BOX_BIGINT, BigInt.prototype.valueOf.call(o)];
      default:
        return null;
    }
  } catch {
    return null; // the tag without the slot: a plain object
  }
}

/** A copy in this realm of a view from another realm (msgpackr recognises this realm's classes only). */
function localView(o: ArrayBufferView): ArrayBufferView {
  const bytes = new Uint8Array(new Uint8Array(o.buffer, o.byteOffset, o.byteLength));
  const name = Object.prototype.toString.call(o).slice(8, -1);
  if (name === "DataView") return new DataView(bytes.buffer);
  const C = (globalThis as unknown as Record<string, new (b: ArrayBuffer) => ArrayBufferView>)[name];
  return C === undefined ? new DataView(bytes.buffer) : new C(bytes.buffer);
}

/** True when `proto` is on `o`'s prototype chain. */
function inherits(o: object, proto: object): boolean {
  return Object.prototype.isPrototypeOf.call(proto, o);
}

const STANDARD_ERRORS = new Set([
  "Error",
  "EvalError",
  "RangeError",
  "ReferenceError",
  "SyntaxError",
  "TypeError",
  "URIError",
]);

/** The code units of `s`, for a string msgpackr's UTF-8 would alter. */
function units(s: string): Uint16Array {
  const u = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
  return u;
}

/** The patch restoring a boxed primitive, or null when `o` is not one. Brand-checked with valueOf. */
function boxedFix(o: object): unknown[] | null {
  try {
    return boxedFixOf(o);
  } catch {
    return null; // Object.create(Number.prototype) and the like: no primitive inside, a plain object
  }
}

function boxedFixOf(o: object): unknown[] | null {
  if (o instanceof Number) return [FIX_BOXED, BOX_NUMBER, new Float64Array([Number.prototype.valueOf.call(o)])];
  if (o instanceof String) return [FIX_BOXED, BOX_STRING, units(String.prototype.valueOf.call(o))];
  if (o instanceof Boolean) return [FIX_BOXED, BOX_BOOLEAN, Boolean.prototype.valueOf.call(o)];
  if (o instanceof BigInt) return [FIX_BOXED, BOX_BIGINT, BigInt.prototype.valueOf.call(o)];
  return null;
}

/** The value a decoded fix stands for; FIX_HOLE is handled by the caller. */
function fixValue(fix: unknown[]): unknown {
  switch (fix[0]) {
    case FIX_NEG_ZERO:
      return -0;
    case FIX_STRING:
      return String.fromCharCode.apply(null, fix[1] as unknown as number[]);
    default: {
      const payload = fix[2];
      switch (fix[1]) {
        case BOX_NUMBER:
          return Object((payload as Float64Array)[0]);
        case BOX_STRING:
          return Object(String.fromCharCode.apply(null, payload as unknown as number[]));
        default:
          return Object(payload);
      }
    }
  }
}

/**
 * Applies decoded patches. A boxed primitive decoded once keeps its identity
 * for every reference to it: fixes are decoded objects shared like any other
 * (structured-clone mode preserves identity), so one box is built per fix.
 */
function applyPatches(root: unknown, patches: unknown[][]): unknown {
  const boxes = new Map<unknown[], unknown>();
  const restore = (fix: unknown[]): unknown => {
    if (fix[0] !== FIX_BOXED) return fixValue(fix);
    let b = boxes.get(fix);
    if (b === undefined) {
      b = fixValue(fix);
      boxes.set(fix, b);
    }
    return b;
  };
  // Map and Set patches are applied by rebuilding the collection in order.
  const rebuild = new Map<Map<unknown, unknown> | Set<unknown>, unknown[][]>();
  // Arrays with holes, spread out once every element is patched (at its index among the elements).
  const sparse: [unknown[], unknown[]][] = [];
  for (const p of patches) {
    const [container, where, key, fix] = p as [object | null, number, string | number, unknown[]];
    if (container === null) {
      root = restore(fix);
    } else if (where === AT_PROPERTY) {
      if (fix[0] === FIX_SPARSE) sparse.push([container as unknown[], fix]);
      else if (fix[0] === FIX_HOLE) delete (container as Record<string | number, unknown>)[key];
      else (container as Record<string | number, unknown>)[key] = restore(fix);
    } else {
      const c = container as Map<unknown, unknown> | Set<unknown>;
      const list = rebuild.get(c);
      if (list === undefined) rebuild.set(c, [p]);
      else list.push(p);
    }
  }
  for (const [a, fix] of sparse) spread(a, fix[1] as number, fix[2] as number[]);
  for (const [c, list] of rebuild) {
    if (c instanceof Map) {
      const entries = [...c];
      for (const [, where, i, fix] of list as [object, number, number, unknown[]][]) {
        const e = entries[i] as [unknown, unknown];
        if (where === AT_MAP_KEY) e[0] = restore(fix);
        else e[1] = restore(fix);
      }
      c.clear();
      for (const [k, v] of entries) c.set(k, v);
    } else {
      const elements = [...c];
      for (const [, , i, fix] of list as [object, number, number, unknown[]][]) elements[i] = restore(fix);
      c.clear();
      for (const e of elements) c.add(e);
    }
  }
  return root;
}

/**
 * Moves the elements of `a` (in order, holes left out) to their indices in
 * an array of `length` whose holes are the runs `[runs[2r], runs[2r+1])`:
 * in place, as the decoded array may be referenced from elsewhere in the
 * value (itself included). O(elements + runs).
 */
function spread(a: unknown[], length: number, runs: number[]): void {
  const values = a.slice();
  a.length = 0;
  a.length = length;
  let k = 0;
  let i = 0;
  for (let r = 0; r <= runs.length; r += 2) {
    const end = r < runs.length ? (runs[r] as number) : length;
    for (; i < end; i++) a[i] = values[k++];
    if (r < runs.length) i = runs[r + 1] as number;
  }
}
