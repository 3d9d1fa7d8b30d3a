import { describe, expect, it } from "vitest";
import { FramePool, InvalidArgumentError } from "../src/index.js";

// Review 32: InvalidArgumentError built its message with String(value), which ran the
// value's own toString / Symbol.toPrimitive (user code inside an error path, which could
// throw or change state) and put all of a long string, array or structure in the message.
function refusal(pageSize: unknown): InvalidArgumentError {
  try {
    new FramePool({ pageSize: pageSize as number });
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return e as InvalidArgumentError;
  }
  throw new Error("not refused");
}

describe("InvalidArgumentError's message (review 32)", () => {
  it("runs no code of the refused value and stays short for a long one", () => {
    let called = 0;
    const sneaky = {
      toString() {
        called++;
        return "4096";
      },
      [Symbol.toPrimitive]() {
        called++;
        return 4096;
      },
    };
    const e = refusal(sneaky);
    expect(called).toBe(0);
    expect(e.value).toBe(sneaky);
    expect(e.message).toContain(": an object (expected");

    const long = "x".repeat(1_000_000);
    const m = refusal(long).message;
    expect(m.length).toBeLessThan(300);
    expect(m).toContain("1000000 code units");

    const big = new Array(1_000_000).fill(7);
    expect(refusal(big).message.length).toBeLessThan(200);
    expect(refusal(big).message).toContain("an array of 1000000");
  });

  it("shows primitives as before", () => {
    expect(refusal(1000).message).toContain("invalid pageSize: 1000 ");
    expect(refusal(-0).message).toContain(": -0 ");
    expect(refusal("4k").message).toContain(': "4k" ');
    expect(refusal(4096n).message).toContain(": 4096n ");
    expect(refusal(Symbol("s")).message).toContain("a symbol (s)");
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(refusal(proxy).message).toContain("an object");
  });
});
