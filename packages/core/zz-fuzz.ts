import { AddressSpace, FramePool, InvalidHandleError } from "./src/index.ts";
const PAGE = 256;
let seed = 12345; const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
const vals = (v: any): any[] => [v + 1, v - 1, v * 2, 0, -1, 1.5, NaN, 2 ** 31, 2 ** 53, "1", null, undefined, {}, [], Math.floor(v / 2)];
let bad = 0, ok = 0, refused = 0, other = 0;
for (let iter = 0; iter < 3000; iter++) {
  const pool = new FramePool({ shared: true, pageSize: PAGE, firstSlabBytes: 4 * PAGE, slabBytes: 16 * PAGE });
  const size = 64 * PAGE;
  const o = new AddressSpace({ size, pool });
  const model = new Uint8Array(size);
  for (let p = 0; p < 40; p += 1 + rnd(3)) { o.setUint8(p * PAGE + 7, p + 1); model[p * PAGE + 7] = p + 1; }
  if (rnd(2)) { o.unmap(10 * PAGE, 3 * PAGE); model.fill(0, 10 * PAGE, 13 * PAGE); }
  if (rnd(2)) o.protect(20 * PAGE, 4 * PAGE, "read-only");
  const keep = o.fork(); o.setUint8(7, 200); // owner changes after
  const h: any = keep.share();
  const fields = ["poolId", "id", "pageSize", "slabBytes", "slabs", "nodes", "nodeCount", "root", "levels", "size", "mappings", "pins", "slot"];
  const f = fields[rnd(fields.length)]!;
  const t: any = { ...h, mappings: { ...h.mappings } };
  if (f === "slabs") { const s = [...h.slabs]; const m = rnd(4); if (m === 0) s.reverse(); else if (m === 1) s.pop(); else if (m === 2) s.push(new SharedArrayBuffer(16 * PAGE)); else s[0] = new SharedArrayBuffer(s[0].byteLength); t.slabs = s; }
  else if (f === "nodes") { const m = rnd(2); t.nodes = m ? new SharedArrayBuffer(h.nodes.byteLength) : new SharedArrayBuffer(64); }
  else if (f === "pins") t.pins = new SharedArrayBuffer(h.pins.byteLength);
  else if (f === "mappings") { const m = rnd(3); const st = [...h.mappings.starts], en = [...h.mappings.ends], wr = [...h.mappings.writable]; if (m === 0) en[0] = en[0] + PAGE; else if (m === 1) { st.reverse(); en.reverse(); } else wr[0] = !wr[0]; t.mappings = { starts: st, ends: en, writable: wr }; }
  else { const vs = vals(h[f]); t[f] = vs[rnd(vs.length)]; }
  let s: AddressSpace | null = null;
  try { s = AddressSpace.attach(t); } catch (e) { if (e instanceof InvalidHandleError) refused++; else { other++; console.log("untyped", f, (e as Error).name, (e as Error).message); } }
  if (s !== null) {
    let wrong = false;
    try {
      const fk = s.fork(); fk.setUint8(size - 1, 1); fk.release();
      for (let a = 7; a < Math.min(s.size, size); a += PAGE) { let v: number; try { v = s.getUint8(a); } catch (e) { if ((e as Error).name === "SegmentationFault") continue; throw e; } if (v !== model[a]) wrong = true; }
    } catch (e) { if (!(e instanceof InvalidHandleError)) { other++; console.log("untyped use", f, (e as Error).name, (e as Error).message); } }
    if (wrong) { bad++; console.log("WRONG VALUE with", f, String(t[f]).slice(0, 40)); }
    else ok++;
    s.release();
  } else {
    // genuine handle still attaches
    const g = AddressSpace.attach(h); if (g.getUint8(7) !== model[7]) console.log("genuine wrong after refusal"); g.release();
  }
  keep.release(); o.release();
  if (pool.stats().framesInUse !== 0 || pool.stats().sharedHandles !== 0) { console.log("LEAK", f, pool.stats().framesInUse, pool.stats().sharedHandles); }
}
console.log({ ok, refused, bad, other });
