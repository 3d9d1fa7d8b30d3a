/**
 * Giving the event loop a turn between chunks of work, so the page can paint
 * (the replay's progress bar) and handle input.
 *
 * @module
 */

/** `scheduler.yield()` (Chrome 129+), typed here because the DOM lib does not have it yet. */
interface YieldingScheduler {
  yield(): Promise<void>;
}

const scheduler = (globalThis as { scheduler?: Partial<YieldingScheduler> }).scheduler;

/**
 * Resolves after the browser had a chance to run other tasks, render a frame
 * included. Uses `scheduler.yield()` where it exists, else a `MessageChannel`
 * task: unlike `setTimeout(0)`, neither is clamped to 4 ms after a few nested calls.
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof scheduler?.yield === "function") return scheduler.yield();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
