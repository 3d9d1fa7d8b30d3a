/**
 * The snapshot walk of the value codec (codec.ts): one pass over a value,
 * reading every property once as `structuredClone` does, that builds a copy
 * of its containers msgpackr encodes exactly, records the patches for what
 * msgpackr would alter (codec-patches.ts), recognises built-ins by their
 * internal slots (codec-slots.ts), and refuses with {@link DataCloneError}
 * (or {@link StructureValueError}, for a pagefork structure) what cannot be
 * stored, naming the path where it was found.
 *
 * @module
 */

import {
  AT_MAP_KEY,
  AT_MAP_VALUE,
  AT_PROPERTY,
  AT_SET_ELEMENT,
  boxedFix,
  FIX_HOLE,
  FIX_NEG_ZERO,
  FIX_SPARSE,
  FIX_STRING,
  foreignBoxedFix,
  LONE_SURROGATE,
  units,
} from "./codec-patches.js";
import {
  AsyncGeneratorPrototype,
  BlobClass,
  GeneratorPrototype,
  hasDateValue,
  hasMapData,
  hasSetData,
  hasSlotOf,
  inherits,
  intlClasses,
  isArrayBuffer,
  isRegExp,
  localView,
  NOT_BUILTIN,
  STANDARD_ERRORS,
} from "./codec-slots.js";
import { DataCloneError, StructureValueError, throwStructureValue } from "./errors.js";
import { coreObjectName, stateNodeName, storeInstead, structureName } from "./structure.js";

/**
 * The pagefork object (name, path) at the bottom of a StructureValueError that
 * `withMethods` made for a class instance holding it, so that an enclosing
 * instance's error names it too, not the class in between.
 */
const heldBy = new WeakMap<StructureValueError, { structure: string; path: string }>();

/** The snapshot walk: a copy of the value's containers, patches, and the path for error messages. */
export class Walk {
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
        // Name the pagefork object at the bottom, not a class of fields in between (a Store's
        // StoreHistory, whose own bound clock made it an object with methods too).
        const inner = heldBy.get(e) ?? { structure: e.structure, path: e.path };
        // A @pagefork/state Store holds its versions: its current one, as plain data, is what fits.
        const instead =
          name === "Store" && inner.structure === "State" ? "current(x.getState().root) from @pagefork/state" : "";
        const outer = new StructureValueError(this.pathString(), name, `${inner.structure} (${inner.path})`, instead);
        heldBy.set(outer, inner);
        throw outer;
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
