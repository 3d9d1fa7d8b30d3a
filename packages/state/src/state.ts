/**
 * A version of an application state: one frozen address space holding every
 * record, list, map, set, text and typed array of the state, and the handle
 * users read it through.
 *
 * @module
 */
import {
  AddressSpace,
  FramePool,
  Heap,
  InvalidArgumentError,
  ReleasedError,
  type ShareOptions,
  type SpaceStats,
} from "@pagefork/core";
import { build } from "./build.js";
import { check } from "./check.js";
import type { Handle } from "./containers.js";
import { SchemaError } from "./errors.js";
import { INSPECT, type InspectFn, type InspectOptions, plainInspect } from "./inspect.js";
import {
  SH_MAGIC,
  SH_PAGE_SIZE,
  SH_ROOT,
  SH_VERSION,
  STATE_HEAP_BYTES,
  STATE_LAYOUT_VERSION,
  STATE_MAGIC,
  STATE_PAGE_SIZE,
} from "./layout.js";
import { Lineage } from "./lineage.js";
import { type AnyType, isComposite, Type } from "./schema.js";
import { attachSharedState, type SharedStateHandle, shareState, transferStateCopy } from "./shared.js";
import { jsonOf, plainOf } from "./values.js";
import { viewOf } from "./view.js";

/** Options of {@link createState}. */
export interface StateOptions {
  /** Page size in bytes (a power of two, 256 to 65536). Default {@link STATE_PAGE_SIZE} (256), or the pool's. */
  pageSize?: number;
  /** The frame pool to take frames from (its `maxBytes` bounds the state's memory). Default: a new pool. */
  pool?: FramePool;
  /**
   * Bytes the state's heap manages (its largest size), a multiple of the
   * page size. Default {@link STATE_HEAP_BYTES} (1 GiB). Untouched pages cost
   * nothing; see layout.ts for why it is not simply huge.
   */
  heapBytes?: number;
}

/**
 * One version of a state. Read it through {@link State.root} (a read-only
 * view typed as `t.Infer<S>`); make the next version with `produce`; keep
 * versions in an undo `History` or a store. A version never changes: its
 * address space is frozen.
 *
 * Memory: a version costs the pages its `produce` copied (plus the page-table
 * paths to them and ~300 B of JS objects); everything else is shared with
 * the version it came from. `release()` gives back what no other version
 * shares; `stats()` says what that is (USS) and what the version maps (RSS).
 *
 * Errors: any use after `release()` throws ReleasedError.
 *
 * @typeParam S - the schema type.
 * @example
 * ```ts
 * const Todo = t.struct({ title: t.string, done: t.bool });
 * const s0 = createState(t.struct({ todos: t.list(Todo) }), { todos: [{ title: "a", done: false }] });
 * s0.root.todos[0]!.title; // "a"
 * const s1 = produce(s0, (d) => { d.todos[0]!.done = true; });
 * [s0.root.todos[0]!.done, s1.root.todos[0]!.done]; // [false, true]
 * s1.release(); s0.release();
 * ```
 */
// Satisfies VersionCtx structurally; not declared with `implements`, because the
// published .d.ts leave out the internal members that interface names (stripInternal).
export class State<S extends AnyType = AnyType> {
  /** The schema the state follows. */
  readonly schema: S;
  /** The frozen address space holding this version (for `stats()`, `diff()`, persistence). */
  readonly space: AddressSpace;
  /** @internal The heap inside `space`. */
  readonly heap: Heap;
  /** @internal */
  readonly lineage: Lineage;
  /** @internal Embedded structures attached so far, made on first use (see `handles`). */
  private handleMap: Map<number, Handle> | null;
  /** @internal Byte address of the root node. */
  readonly rootAddr: number;
  /** @internal This version's entry in `lineage.live`. */
  private readonly liveRef: WeakRef<State<S>>;

  /** @internal Use {@link createState}, `produce` or `fork()`. */
  constructor(
    schema: S,
    space: AddressSpace,
    heap: Heap,
    lineage: Lineage,
    handles: Map<number, Handle> | null,
    rootAddr: number,
  ) {
    this.schema = schema;
    this.space = space;
    this.heap = heap;
    this.lineage = lineage;
    this.handleMap = handles;
    this.rootAddr = rootAddr;
    this.liveRef = new WeakRef(this);
    lineage.live.add(this.liveRef);
  }

  /**
   * @internal Embedded structures attached so far, by container node
   * address. Made on first use: a version that is kept but never read (an
   * undo step) holds no Map (an empty Map is ~190 B of JS heap on Node 20).
   */
  get handles(): Map<number, Handle> {
    let m = this.handleMap;
    if (m === null) {
      m = new Map();
      this.handleMap = m;
    }
    return m;
  }

  /**
   * The state as a read-only view of type `t.Infer<S>`: fields read from the
   * pages on access; a value that did not change between two versions is the
   * same object in both. O(1).
   * @throws {ReleasedError} after `release()`.
   */
  get root(): S["__view"] {
    if (this.space.released) throw new ReleasedError("state version");
    return viewOf(this, this.schema, this.rootAddr) as S["__view"];
  }

  /** True once `release()` has run. */
  get released(): boolean {
    return this.space.released;
  }

  /** Page size in bytes. */
  get pageSize(): number {
    return this.space.pageSize;
  }

  /**
   * Another handle on this same version, to be released on its own (what
   * `History` keeps). O(1): shares every page.
   * @throws {ReleasedError} after `release()`.
   */
  fork(): State<S> {
    if (this.space.released) throw new ReleasedError("state version");
    const space = this.space.fork();
    space.freeze();
    return new State(this.schema, space, Heap.attach(space, space.pageSize), this.lineage, null, this.rootAddr);
  }

  /**
   * A handle to this version that `postMessage` can carry to a worker, where
   * {@link State.attachShared} reads it in place, without a copy; see
   * `AddressSpace.share` in @pagefork/core, whose pinning, lifetimes and
   * errors apply. O(1) in the size of the state. The state's pool must be
   * shared: `createState(schema, initial, { pool: new FramePool({ shared: true, pageSize: 256 }) })`.
   *
   * @param options - `worker`: the worker the handle is for; its exit drops the pin.
   * @throws {ReleasedError} after `release()`.
   * @throws {SharingUnavailableError} when the pool is not shared.
   * @example
   * ```ts
   * const Doc = t.struct({ title: t.string, values: t.list(t.f64) });
   * const pool = new FramePool({ shared: true, pageSize: 256 });
   * const s0 = createState(Doc, { title: "a", values: [1, 2] }, { pool });
   * const handle = s0.share(); // worker.postMessage(handle)
   * const seen = State.attachShared(handle, Doc); // in the worker, with the same schema
   * [seen.root.title, seen.root.values.length]; // ["a", 2]
   * const s1 = produce(seen, (d) => { d.title = "b"; }); // a private version in the worker
   * [seen.root.title, s1.root.title]; // ["a", "b"]
   * s1.release(); seen.release(); s0.release();
   * ```
   */
  share(options?: ShareOptions): SharedStateHandle {
    return shareState(this, options);
  }

  /**
   * A copy of this version for a thread that cannot share memory (a browser
   * page without cross-origin isolation): `postMessage(h, [h.space.bytes])`
   * moves it; {@link State.attachShared} rebuilds it there. O(pages written).
   * @throws {ReleasedError} after `release()`.
   * @example
   * ```ts
   * const s0 = createState(t.struct({ n: t.f64 }), { n: 3 });
   * const copy = s0.transferCopy();
   * State.attachShared(copy, t.struct({ n: t.f64 })).root.n; // 3
   * s0.release();
   * ```
   */
  transferCopy(): SharedStateHandle {
    return transferStateCopy(this);
  }

  /**
   * The state version a handle names, in this thread, read with `schema` (the
   * one the version was made with: its description must match). Read it as
   * any version; `produce` and `fork()` give private versions in a pool local
   * to this thread; `release()` unpins it. O(1) in the size of the state.
   *
   * @throws {InvalidHandleError} when `handle` is not one (`"forged"`), the
   *   schema differs (`"type"`), or it was attached or released already.
   * @example
   * ```ts
   * const pool = new FramePool({ shared: true, pageSize: 256 });
   * const s0 = createState(t.struct({ n: t.f64 }), { n: 1 }, { pool });
   * let caught: unknown;
   * try { State.attachShared(s0.share(), t.struct({ m: t.f64 })); } catch (e) { caught = e; }
   * (caught as InvalidHandleError).reason; // "type"
   * s0.release();
   * ```
   */
  static attachShared<T extends AnyType>(handle: SharedStateHandle, schema: T): State<T> {
    return attachSharedState(handle, schema);
  }

  /** Returns the pages only this version holds to the pool. Idempotent. O(pages it alone holds). */
  release(): void {
    if (this.space.released) return;
    this.lineage.live.delete(this.liveRef);
    this.handleMap?.clear();
    this.space.release();
  }

  /** Same as `release()`, for `using` declarations. */
  [Symbol.dispose](): void {
    this.release();
  }

  /** Already frozen: a no-op, so `new History(state, { freeze: true })` accepts states. */
  freeze(): void {}

  /**
   * Memory of this version (RSS, PSS, USS in bytes, faults, bytes copied),
   * as the core reports it for any space. O(page-table nodes).
   * @throws {ReleasedError} after `release()`.
   */
  stats(): SpaceStats {
    return this.space.stats();
  }

  /**
   * The whole state as JSON-compatible plain data (maps as objects keyed by
   * `String(key)`, sets and typed arrays as arrays, texts as strings), so
   * `JSON.stringify(state)` works. O(size).
   */
  toJSON(): unknown {
    if (this.space.released) throw new ReleasedError("state version");
    return jsonOf(this, this.schema, this.rootAddr);
  }

  /** What `console.log` / `util.inspect` show: `State` and the root's contents, within Node's depth and lengths. */
  [INSPECT](_d: number, options: InspectOptions = {}, inspect: InspectFn = plainInspect): string {
    if (this.space.released) return "State <released>";
    return `State ${inspect(this.root, options)}`;
  }
}

/**
 * Makes the first version of a state of schema `schema` from plain data
 * `initial` (objects, arrays, `Map`s, `Set`s, strings for texts, typed arrays
 * or number arrays for typed-array fields: see `t.Input`). The root type must
 * be composite (usually a `t.struct`). O(size of `initial`).
 *
 * @throws {SchemaError} when `initial` does not fit the schema (nothing is allocated).
 * @throws {InvalidArgumentError} for bad options.
 * @throws {OutOfMemoryError} when the pool's limit or the heap cannot hold it (nothing is kept).
 * @example
 * ```ts
 * const App = t.struct({ title: t.string, tags: t.set(t.string), doc: t.text() });
 * const s = createState(App, { title: "notes", tags: new Set(["a"]), doc: "hello" });
 * [s.root.title, s.root.tags.has("a"), s.root.doc.toString()]; // ["notes", true, "hello"]
 * JSON.stringify(s); // '{"title":"notes","tags":["a"],"doc":"hello"}'
 * s.release();
 * ```
 */
export function createState<S extends AnyType>(schema: S, initial: S["__input"], options: StateOptions = {}): State<S> {
  if (!(schema instanceof Type)) throw new SchemaError([], "a schema type (t.struct({...}), ...)", typeof schema);
  if (!isComposite(schema))
    throw new SchemaError([], "a composite root type (t.struct, t.list, t.map, ...)", schema.describe());
  if (options === null || typeof options !== "object")
    throw new InvalidArgumentError("options", options, "an object { pageSize?, pool?, heapBytes? }");
  check(schema, initial, []);
  const pool =
    options.pool ??
    new FramePool(options.pageSize === undefined ? { pageSize: STATE_PAGE_SIZE } : { pageSize: options.pageSize });
  const ps = pool.pageSize;
  if (options.pageSize !== undefined && options.pageSize !== ps)
    throw new InvalidArgumentError("pageSize", options.pageSize, `the pool's page size ${ps}`);
  const heapBytes = options.heapBytes ?? STATE_HEAP_BYTES;
  if (!Number.isSafeInteger(heapBytes) || heapBytes < 16 * ps || heapBytes % ps !== 0)
    throw new InvalidArgumentError("heapBytes", heapBytes, `a multiple of the page size ${ps}, at least 16 pages`);
  const space = new AddressSpace({ size: ps + heapBytes, pool });
  try {
    const heap = Heap.create(space, { base: ps, limit: ps + heapBytes });
    const lineage = new Lineage();
    const handles = new Map<number, Handle>();
    const root = build({ space, heap, lineage, handles }, schema, initial);
    space.setUint32(SH_MAGIC, STATE_MAGIC);
    space.setUint32(SH_VERSION, STATE_LAYOUT_VERSION);
    space.setFloat64(SH_ROOT, root);
    space.setUint32(SH_PAGE_SIZE, ps);
    space.freeze();
    return new State(schema, space, heap, lineage, handles, root);
  } catch (e) {
    space.release();
    throw e;
  }
}

/** Plain data (maps as `Map`, sets as `Set`, typed arrays as copies) of a whole version. O(size). */
export function plainOfState(state: State): unknown {
  return plainOf(state, state.schema, state.rootAddr);
}
