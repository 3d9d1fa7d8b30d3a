/**
 * What a space shows page by page, the same in the owner's thread and in a
 * reader thread (test/workers/reader.ts): its size, the byte at offset 1 and
 * the last byte of each page, or the error a read throws there, and whether
 * each page is writable in a fork (or the error a write throws). For
 * comparing a version with its copy or attachment across threads.
 */
import type { AddressSpace } from "../../src/index.js";

export interface Probe {
  size: number;
  reads: (number | string)[];
  writes: string[];
}

function attempt<T>(f: () => T): T | string {
  try {
    return f();
  } catch (e) {
    return (e as Error).name;
  }
}

export function probe(a: AddressSpace, pageSize: number): Probe {
  const pages = Math.ceil(a.size / pageSize);
  const reads: (number | string)[] = [];
  for (let p = 0; p < pages; p++) {
    reads.push(attempt(() => a.getUint8(p * pageSize + 1)));
    reads.push(attempt(() => a.getUint8(Math.min(a.size, (p + 1) * pageSize) - 1)));
  }
  const f = a.fork();
  const writes: string[] = [];
  try {
    for (let p = 0; p < pages; p++)
      writes.push(
        attempt(() => {
          f.setUint8(p * pageSize, 1);
          return "w";
        }),
      );
  } finally {
    f.release();
  }
  return { size: a.size, reads, writes };
}
