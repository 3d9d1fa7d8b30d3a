/**
 * Arguments that change their receiver while being converted, for tests of
 * native semantics (ES2024 re-reads a typed array's length after converting
 * the arguments), and the resizable ArrayBuffer those tests use as the model.
 */

/**
 * A value converting to `value` (through `valueOf` or `toString`) whose first
 * conversion calls `shrink`. Typed as `never` so it can stand for any argument.
 */
export function shrinking(value: unknown, shrink: () => void): never {
  let fired = false;
  const fire = () => {
    if (!fired) {
      fired = true;
      shrink();
    }
  };
  return {
    valueOf() {
      fire();
      return value;
    },
    toString() {
      fire();
      return String(value);
    },
  } as never;
}

/** A resizable ArrayBuffer (ES2024; Node 20 has it, the project's TypeScript lib is ES2023). */
export interface Resizable extends ArrayBuffer {
  resize(byteLength: number): void;
}

/** `ArrayBuffer` with the ES2024 `maxByteLength` option, typed for the ES2023 lib. */
export const ResizableBuffer = ArrayBuffer as unknown as new (
  byteLength: number,
  options: { maxByteLength: number },
) => Resizable;
