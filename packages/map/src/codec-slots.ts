/**
 * How the value codec's walk (codec-walk.ts) recognises built-ins as
 * `structuredClone` does, whatever their realm: by internal slot (a native
 * method that throws a TypeError for a receiver without it, called without
 * side effects), not by prototype or tag; the classes `structuredClone`
 * refuses; and the standard Error names it keeps.
 *
 * @module
 */

export const GeneratorPrototype = Object.getPrototypeOf(function* () {}).prototype as object;
export const AsyncGeneratorPrototype = Object.getPrototypeOf(async function* () {}).prototype as object;
/** Intl's constructors (its properties are not enumerable; getCanonicalLocales and friends are plain functions). */
export const intlClasses = Object.getOwnPropertyNames(Intl)
  .map((name) => (Intl as unknown as Record<string, unknown>)[name])
  .filter((c): c is new () => object => typeof c === "function" && typeof c.prototype === "object");
export const BlobClass = (globalThis as unknown as { Blob?: new () => object }).Blob;

/** What {@link Walk.foreign} returns for an object that is no built-in. */
export const NOT_BUILTIN: unique symbol = Symbol("not a built-in");

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
export const hasMapData = (o: unknown): boolean => slotted(mapHas, o);
export const hasSetData = (o: unknown): boolean => slotted(setHas, o);
export const hasDateValue = (o: unknown): boolean => slotted(dateTime, o);
/** RegExp.prototype itself answers `source` ("(?:)") but is no RegExp. */
export const isRegExp = (o: unknown): boolean => o !== RegExp.prototype && slotted(regExpSource, o);
/** An ArrayBuffer (not a SharedArrayBuffer, whose byteLength getter is another one). */
export const isArrayBuffer = (o: unknown): boolean => slotted(bufferBytes, o);

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
export function hasSlotOf(name: string, o: object): boolean {
  const test = slotTests[name];
  return test !== undefined && slotted(test, o);
}

/** A copy in this realm of a view from another realm (msgpackr recognises this realm's classes only). */
export function localView(o: ArrayBufferView): ArrayBufferView {
  const bytes = new Uint8Array(new Uint8Array(o.buffer, o.byteOffset, o.byteLength));
  const name = Object.prototype.toString.call(o).slice(8, -1);
  if (name === "DataView") return new DataView(bytes.buffer);
  const C = (globalThis as unknown as Record<string, new (b: ArrayBuffer) => ArrayBufferView>)[name];
  return C === undefined ? new DataView(bytes.buffer) : new C(bytes.buffer);
}

/** True when `proto` is on `o`'s prototype chain. */
export function inherits(o: object, proto: object): boolean {
  return Object.prototype.isPrototypeOf.call(proto, o);
}

export const STANDARD_ERRORS = new Set([
  "Error",
  "EvalError",
  "RangeError",
  "ReferenceError",
  "SyntaxError",
  "TypeError",
  "URIError",
]);
