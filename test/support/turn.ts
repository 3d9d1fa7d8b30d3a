/**
 * Test helper: gives the event loop whole turns, so that what arrived while a
 * test computed (vitest's RPC replies to its worker among them) is read
 * before the test goes on. See yield-between-tests.ts.
 */
// Node's own, also under the happy-dom environment.
import { setImmediate } from "node:timers";

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Resolves after a poll phase of the event loop has run. Two turns: an
 * immediate queued while the loop polls runs in that same iteration's check
 * phase, before the loop polls again; the second one runs in the next
 * iteration, after its poll phase.
 */
export async function eventLoopTurns(): Promise<void> {
  await turn();
  await turn();
}
