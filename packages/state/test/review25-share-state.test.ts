/**
 * Review 25: shared State versions read what they held at share() time while
 * the owner produces, releases and shares again, against JSON snapshots
 * taken at share(); every pin is dropped with its reader's release.
 */
import { FramePool } from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createState, produce, State, t } from "../src/index.js";

const Doc = t.struct({ title: t.string, values: t.list(t.f64), tags: t.set(t.string), body: t.text() });

describe("State.attachShared against snapshots taken at share()", () => {
  it("attached versions never change while the owner produces new ones", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.tuple(fc.constant("title" as const), fc.string({ maxLength: 30 })),
            fc.tuple(fc.constant("push" as const), fc.string({ maxLength: 3 })),
            fc.tuple(fc.constant("tag" as const), fc.string({ maxLength: 4 })),
            fc.tuple(fc.constant("body" as const), fc.string({ maxLength: 40 })),
            fc.tuple(fc.constant("share" as const), fc.constant("")),
            fc.tuple(fc.constant("release-one" as const), fc.constant("")),
          ),
          { maxLength: 30 },
        ),
        (ops) => {
          const pool = new FramePool({ shared: true, pageSize: 256 });
          let cur = createState(Doc, { title: "", values: [], tags: new Set<string>(), body: "" }, { pool });
          const snaps: { s: State<typeof Doc>; json: unknown }[] = [];
          for (const [op, x] of ops) {
            let next: State<typeof Doc> | null = null;
            if (op === "title")
              next = produce(cur, (d) => {
                d.title = x;
              });
            else if (op === "push") next = produce(cur, (d) => void d.values.push(x.length * 1.5));
            else if (op === "tag") next = produce(cur, (d) => void d.tags.add(x));
            else if (op === "body") next = produce(cur, (d) => void d.body.insert(0, x));
            else if (op === "share") {
              const json = JSON.parse(JSON.stringify(cur.toJSON()));
              snaps.push({ s: State.attachShared(structuredClone(cur.share()), Doc), json });
            } else if (snaps.length > 0) {
              const [one] = snaps.splice(0, 1);
              expect(one?.s.toJSON()).toEqual(one?.json);
              one?.s.release();
            }
            if (next !== null && next !== cur) {
              // produce() with no change returns the same version
              cur.release();
              cur = next;
            }
          }
          for (const x of snaps) {
            expect(x.s.toJSON()).toEqual(x.json);
            x.s.release();
          }
          cur.release();
          expect(pool.stats().sharedHandles).toBe(0);
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: 30 },
    );
  });
});
