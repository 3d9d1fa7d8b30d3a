/**
 * Per-test setup cost of the pattern: `fixture.fork()` (+ `release()` at
 * teardown) against `structuredClone` of the same 256 MiB held in native
 * typed arrays, measured interleaved in one process so the ratio holds on a
 * noisy machine. Prints medians and the ratio; `--json` prints one JSON object.
 *
 * Run from the repository root:
 *   node --conditions=source --import tsx examples/test-isolation/src/measure-setup.ts
 *
 * @module
 */
import { buildFixture, buildNativeFixture, FIXTURE_BYTES, prices } from "./fixture.js";

/** Interleaved rounds; the first is a warm-up and is dropped. */
const ROUNDS = 9;
/** Forks per round: a fork is microseconds, so many are timed together. */
const FORKS_PER_ROUND = 2000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
}

function main(): void {
  const json = process.argv.includes("--json");
  const t0 = performance.now();
  const { fixture, pool } = buildFixture();
  const buildMs = performance.now() - t0;
  const native = buildNativeFixture();

  const forkUs: number[] = [];
  const forkWriteUs: number[] = [];
  const cloneUs: number[] = [];
  let sink = 0;
  for (let r = 0; r < ROUNDS; r++) {
    let t = performance.now();
    for (let k = 0; k < FORKS_PER_ROUND; k++) {
      const s = fixture.fork();
      s.release();
    }
    const fork = ((performance.now() - t) * 1000) / FORKS_PER_ROUND;
    // A test that writes one element: the fork plus one copy-on-write fault.
    t = performance.now();
    for (let k = 0; k < FORKS_PER_ROUND; k++) {
      const s = fixture.fork();
      s.setFloat64(prices.byteOffset + 8 * k, -1);
      s.release();
    }
    const forkWrite = ((performance.now() - t) * 1000) / FORKS_PER_ROUND;
    t = performance.now();
    const copy = structuredClone(native);
    const clone = (performance.now() - t) * 1000;
    sink += copy.flags[7] as number;
    if (r > 0) {
      forkUs.push(fork);
      forkWriteUs.push(forkWrite);
      cloneUs.push(clone);
    }
  }
  const result = {
    fixtureBytes: FIXTURE_BYTES,
    pageSize: pool.pageSize,
    buildMs,
    forkReleaseMicroseconds: median(forkUs),
    forkWriteReleaseMicroseconds: median(forkWriteUs),
    structuredCloneMicroseconds: median(cloneUs),
    cloneOverFork: median(cloneUs) / median(forkUs),
    cloneOverForkWrite: median(cloneUs) / median(forkWriteUs),
    rounds: ROUNDS - 1,
    node: process.version,
  };
  fixture.release();
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else
    process.stdout.write(
      [
        `fixture: ${FIXTURE_BYTES / 2 ** 20} MiB of typed data, ${pool.pageSize} B pages, built in ${buildMs.toFixed(0)} ms`,
        `fork + release:               ${result.forkReleaseMicroseconds.toFixed(2)} µs (median of ${ROUNDS - 1} rounds of ${FORKS_PER_ROUND})`,
        `fork + 1 write + release:     ${result.forkWriteReleaseMicroseconds.toFixed(2)} µs`,
        `structuredClone of the same:  ${(result.structuredCloneMicroseconds / 1000).toFixed(1)} ms (median of ${ROUNDS - 1})`,
        `ratio clone / fork:           ${result.cloneOverFork.toFixed(0)}x (${result.cloneOverForkWrite.toFixed(0)}x with one write)`,
        sink === -1 ? "" : "",
      ].join("\n"),
    );
}

main();
