/**
 * Review 33: the state's SchemaError described the refused value with a
 * describer of its own (errors.ts describeValue), a twin of the core's
 * InvalidArgumentError one, and it ran the value's code: the class name was
 * read as `proto.constructor.name`, which calls a getter `constructor` on the
 * prototype or a `static get name()` of the class (user code inside an error
 * path, which could throw instead of the SchemaError, or change state). Now
 * both packages use the core's describeValue, which reads own data properties
 * only.
 */
import { describeValue, InvalidArgumentError } from "@pagefork/core";
import { createState, produce, SchemaError, t } from "@pagefork/state";
import { describe, expect, it } from "vitest";

const S = t.struct({ item: t.struct({ n: t.u32 }), name: t.string });

/** The SchemaError of `createState` given `item`. */
function refusal(item: unknown): SchemaError {
  try {
    createState(S, { item, name: "x" } as never);
  } catch (e) {
    expect(e).toBeInstanceOf(SchemaError);
    return e as SchemaError;
  }
  throw new Error("not refused");
}

describe("review 33: SchemaError describes the refused value without running its code", () => {
  it("a class with a getter name or constructor: no getter runs, the message names the path", () => {
    let called = 0;
    class Sneaky {}
    Object.defineProperty(Sneaky, "name", {
      get() {
        called++;
        throw new Error("user code ran");
      },
    });
    const e = refusal(new Sneaky());
    expect(called).toBe(0);
    expect(e.path).toEqual(["item"]);
    expect(e.message).toContain("got an object");

    const proto = {};
    Object.defineProperty(proto, "constructor", {
      get() {
        called++;
        return Date;
      },
    });
    refusal(Object.create(proto));
    expect(called).toBe(0);
  });

  it("names class instances, arrays and primitives as the core's InvalidArgumentError does", () => {
    class Todo {
      n = 1;
    }
    expect(refusal(new Todo()).message).toContain("got an instance of Todo");
    expect(refusal(new Date(0)).message).toContain("got an instance of Date");
    expect(refusal([1, 2, 3]).message).toContain("got an array of 3");
    expect(refusal(5).message).toContain("got 5");
    expect(refusal("x".repeat(1000)).message).toContain("(a string of 1000 code units)");
    const s0 = createState(S, { item: { n: 1 }, name: "a" });
    let caught: unknown;
    produce(s0, (d) => {
      try {
        d.name = 7 as never;
      } catch (e) {
        caught = e;
      }
    });
    expect((caught as SchemaError).message).toBe(`state.name: expected string, got ${describeValue(7)}`);
    s0.release();
    let core: unknown;
    try {
      createState(S, { item: { n: 1 }, name: "a" }, { pageSize: 1000 });
    } catch (e) {
      core = e;
    }
    expect(core).toBeInstanceOf(InvalidArgumentError);
    expect((core as Error).message).toContain(`invalid pageSize: ${describeValue(1000)} `);
  });
});
