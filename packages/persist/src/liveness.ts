/**
 * Whether a process, or one thread of a process, still runs: what the open
 * lock (open-lock.ts) asks of a lock's holder and of a tag file's owner, and
 * what the recovery of intent records (save.ts) asks of a history save's
 * writer. Every answer errs towards "runs": a dead owner taken for running
 * costs a leak or a wait, a live one taken for dead would lose its lock or
 * have the chunks of its save released under it.
 *
 * Node tells no thread whether another runs (a Worker by its `threadId`), and
 * has no registry shared by the threads of a process; so a thread is named by
 * its OS thread id (Linux's tid, read off `/proc/thread-self`), which can be
 * asked of `/proc/<pid>/task/<tid>`: that exists while the thread runs, and
 * only lists the threads of `<pid>`.
 *
 * @module
 */
import { existsSync, readFileSync, readlinkSync } from "node:fs";

/**
 * This thread's OS thread id (Linux's tid: `/proc/thread-self` is a link to
 * `<pid>/task/<tid>`, and sync file-system calls run on the calling thread),
 * or null where there is no procfs. Read once per thread (each Worker loads
 * its own copy of this module).
 */
export const osThread: number | null = (() => {
  try {
    const m = /\/task\/(\d+)$/.exec(readlinkSync("/proc/thread-self"));
    return m === null ? null : Number(m[1]);
  } catch {
    return null;
  }
})();

/**
 * True unless OS thread `tid` of process `pid` is known not to run: the
 * process does not run, or it does and its `/proc/<pid>/task` directory
 * exists without `tid` in it. Where that directory cannot be seen (no
 * procfs, or another user's process under `hidepid`) the thread is taken
 * for running: a leak or a wait, never a wrong takeover. A tid reused by a
 * new thread of the same process (after the kernel's pid counter wrapped)
 * keeps a dead thread's tag as running: the same, as a reused pid does.
 * Two `existsSync` at most (one `kill(pid, 0)` more for another process).
 */
export function threadRuns(pid: number, tid: number): boolean {
  if (pid === process.pid && tid === osThread) return true;
  if (pid !== process.pid && !running(pid)) return false;
  return !existsSync(`/proc/${pid}/task`) || existsSync(`/proc/${pid}/task/${tid}`);
}

/** True unless process `pid` is known not to run (gone, or a zombie: killed and not reaped yet). */
export function running(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ESRCH"; // EPERM: it runs, under another user
  }
  return !zombie(pid);
}

/**
 * True when process `pid` is a zombie (Linux: state Z or X in /proc; false
 * where there is no /proc). A process killed holding the lock stays one
 * until its parent reaps it, and a parent that waits for the lock without
 * returning to its event loop (Node reaps there) would wait for it.
 */
function zombie(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return false;
  }
  const state = stat.charAt(stat.lastIndexOf(")") + 2); // after "pid (comm) "; comm may hold ")"
  return state === "Z" || state === "X";
}
