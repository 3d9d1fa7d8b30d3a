/**
 * Giving the event loop a turn between chunks of work, so React can render
 * (the replay's progress bar), the page can paint and input is handled.
 *
 * @module
 */

/**
 * Resolves in a new task queued behind those already waiting: a
 * `MessageChannel` message, the channel React's scheduler posts its render
 * work on, so a render scheduled by the chunk runs before the next chunk.
 * Not `setTimeout(0)`, which is clamped to 4 ms once nested, and not
 * `scheduler.yield()`, whose continuation runs before other queued tasks
 * (React's render among them: the bar would not move until the end).
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
