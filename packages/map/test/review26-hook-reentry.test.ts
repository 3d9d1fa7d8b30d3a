/**
 * A map write near the pool's limit encodes its key and value into module
 * scratch, plans against its table, then reserves frames, which may run the
 * pool's out-of-memory hook. A hook that wrote a map there (the same one or
 * another) reused that scratch: the waiting `set("new", ...)` then wrote the
 * hook's key a second time (the map held "hook" twice and no "new"). Each
 * call must now be refused (OutOfMemoryError, nothing of its own changed)
 * or complete after the hook's writes, and leak nothing.
 */
import { AddressSpace, FramePool, Heap, OutOfMemoryError } from "@pagefork/core";
import { CowMap } from "@pagefork/map";
import { expect, it } from "vitest";

const PS = 256;
let runs = 0;
it("a map write whose out-of-memory hook writes the same map: refused or done after the hook's writes, never mixed", () => {
  const bad: string[] = [];
  for (const embedded of [false, true])
    for (const hookOp of ["set", "delete", "clear", "setMany", "set another map"])
      for (const op of ["set new", "set long", "delete", "clear"])
        for (const size of [6, 12, 24, 48])
          for (let left = 0; left <= 6; left += 2)
            for (let victim = 1; victim <= 13; victim += 4) {
              let armed = false;
              let ran = false;
              let hookSets = 0;
              const box: { m: CowMap<string, string> | null; v: AddressSpace | null } = { m: null, v: null };
              const pool = new FramePool({
                pageSize: PS,
                maxBytes: 96 * PS,
                onOutOfMemory: () => {
                  if (!armed) return;
                  armed = false;
                  box.v?.release();
                  const m = box.m as CowMap<string, string>;
                  if (hookOp === "set another map") other.set("hook", "h");
                  else if (hookOp === "set") m.set("hook", "h");
                  else if (hookOp === "delete") m.delete("key1");
                  else if (hookOp === "clear") m.clear();
                  else
                    for (let i = 0; i < 40; i++) {
                      try {
                        m.set(`h${i}`, "hh".repeat(i));
                        hookSets = i + 1;
                      } catch {
                        break;
                      }
                    }
                  ran = true;
                  runs++;
                },
              });
              const init = new Map<string, string>();
              for (let i = 0; i < size; i++) init.set(`key${i}`, `value ${i} `.repeat(1 + (i % 3)));
              let space: AddressSpace | null = null;
              let m: CowMap<string, string>;
              if (embedded) {
                space = new AddressSpace({ size: 256 * PS, pool });
                m = CowMap.create<string, string>(Heap.create(space, { base: PS }), init);
              } else m = new CowMap<string, string>(init, { pool });
              box.m = m;
              const other = new CowMap<string, string>([["o", "o"]], { pool });
              const keepS = embedded ? (space as AddressSpace).fork() : null;
              const keep = embedded ? null : m.fork();
              const v = new AddressSpace({ size: 16 * PS, pool });
              for (let p = 0; p < victim; p++) v.setUint8(p * PS, 1);
              box.v = v;
              const fill = new AddressSpace({ size: 128 * PS, pool });
              for (let i = 0; pool.framesAvailable() > left; i++) fill.setUint8(i * PS, 1);
              armed = true;
              let caught: unknown = null;
              const doOp = (x: Map<string, string> | CowMap<string, string>) => {
                if (op === "set new") x.set("new", "v");
                else if (op === "set long") x.set("key3", "x".repeat(300));
                else if (op === "delete") x.delete("key5");
                else x.clear();
              };
              try {
                doOp(m);
              } catch (e) {
                caught = e;
              }
              armed = false;
              const exp = new Map(init);
              if (ran) {
                if (hookOp === "set another map") expect(other.get("hook"), "the other map").toBe("h");
                else if (hookOp === "set") exp.set("hook", "h");
                else if (hookOp === "delete") exp.delete("key1");
                else if (hookOp === "clear") exp.clear();
                else for (let i = 0; i < hookSets; i++) exp.set(`h${i}`, "hh".repeat(i));
              }
              if (caught === null) doOp(exp);
              let got: string;
              try {
                got = JSON.stringify([...m.entries()]);
              } catch (e) {
                got = `<${e}>`;
              }
              const tag = `${embedded}/${hookOp}/${op}/${size}/${left}/${victim}`;
              if (caught !== null && !(caught instanceof OutOfMemoryError)) bad.push(`${tag}: threw ${caught}`);
              else if (got !== JSON.stringify([...exp.entries()]))
                bad.push(`${tag}: ran ${ran} caught ${caught !== null}: ${got.slice(-120)}`);
              if (embedded) for (const x of [keepS, space]) x?.release();
              else for (const x of [m, keep]) x?.release();
              other.release();
              v.release();
              fill.release();
              if (pool.stats().framesInUse !== 0) bad.push(`${tag}: leak`);
            }
  expect(runs).toBeGreaterThan(100); // the hook ran
  expect(bad.slice(0, 5)).toEqual([]);
});
