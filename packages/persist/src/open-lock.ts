/**
 * A lock file that serialises, across processes, the moments a store's LMDB
 * environment is opened and closed (`openStore`, `Store.close`).
 *
 * Why: the LMDB that lmdb-js 3.5 bundles (`mdb_env_close_active`, in its
 * mdb.c) destroys the robust write mutex in `lock.mdb` when a process closes the
 * environment and finds itself its only user (it gets the lock file's
 * exclusive fcntl lock). A process opening the environment at that moment
 * waits for a shared lock, gets it once the closer is gone, finds the lock
 * region initialised (no reinitialisation: it is not the first user) and
 * uses the destroyed mutex: every write transaction of every process sharing
 * the region then fails with EINVAL (lmdb-js: "Invalid argument: No
 * transaction to renew", thrown by `openStore` as a CorruptionError) until
 * all of them close. Two processes opening and closing one store in a loop
 * hit it within seconds (review29-open-race.test.ts). With the opens and
 * closes of pagefork serialised, a close that finds itself the only user
 * has no open in progress beside it, and an open after it initialises the
 * region afresh.
 *
 * Write transactions take it too (`writeTxn` in db.ts), for the whole
 * transaction: that LMDB's `mdb_env_open` (mdb_env_open2) stores the id of
 * the newest transaction it read off the meta pages into `lock.mdb`
 * (mti_txnid) without the write mutex, and the next writer of any process
 * starts from the meta page that id names. A commit by another process
 * between that read and that store (microseconds; longer when the opener is
 * preempted) left the id one or more transactions behind: the next write
 * transaction started from the older snapshot and overwrote the newer meta
 * page (that commit lost whole: seen as a delete undone in
 * review27-two-writers), or, the id being an even number behind, wrote ids
 * LMDB had used already (its free-page records then clash: writers crashed
 * with SIGSEGV). See review30-open-write.test.ts. Since only one holder runs
 * at a time, no commit lands inside an open.
 *
 * The lock is `pagefork-open.lock` in the store's directory, holding its
 * holder's tag (`pid:threadId:n:tid`, tid the OS thread id): a hard link to the holder thread's tag
 * file (`pagefork-open.lock.<pid>.<threadId>.<tid>.tag`, written once, at the
 * thread's first use of the store), made by link(2), which fails while the
 * lock file exists; removed (unlinked) at release. The tag file is removed
 * when the thread closes its last handle on the store; one left by a killed
 * process, or (review 32) by a thread that ended without closing (a Worker
 * terminated), is removed by the next open of a thread that finds its OS
 * thread gone (`/proc/<pid>/task/<tid>`; the file descriptor such a thread
 * kept open on it stays open until its process exits: Node does not close
 * a Worker's raw descriptors). A lock held by such a thread is taken over at
 * once, as one of a dead process (it waited STALE_MS before). Held for an LMDB open, close or write transaction; a
 * waiter polls, every 50 µs at first, then up to every millisecond. One left by a process that died holding it
 * (killed mid-open) is taken over: its pid no longer runs, or it is older
 * than `STALE_MS` (its pid was reused by another process, which would keep it forever; a
 * holder refreshes the file's age during a long write transaction:
 * `keepOpenLock`), or its pid is a zombie (killed, not reaped yet), or it is
 * empty and older than `EMPTY_STALE_MS` (made by a build before review 31,
 * whose holder was killed between the create and the write of its tag: with every write transaction holding
 * the lock, kill.test.ts's random SIGKILLs hit that window and each then cost
 * STALE_MS). A store left open at exit is closed under the lock by an
 * `exit` listener (db.ts), before lmdb-js's own exit hook could close it
 * outside it; a killed process does not close at all (safe: no destroy).
 *
 * @module
 */
import {
  closeSync,
  fstatSync,
  futimesSync,
  linkSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { threadId } from "node:worker_threads";
import { osThread, running, threadRuns } from "./liveness.js";

/** Name of the lock file in the store's directory. */
export const OPEN_LOCK = "pagefork-open.lock";
/**
 * Age (ms) after which a lock file is taken for abandoned whoever holds it:
 * an LMDB open or close takes milliseconds (taken over wrongly, a slow holder
 * would only risk the failed opens the lock prevents, never data).
 */
const STALE_MS = 30_000;
/**
 * Age (ms) after which an empty lock file is taken for abandoned: a build
 * before review 31 wrote its tag right after creating it (two system calls),
 * so one still empty this long was left by a process killed in between.
 * (This build never makes an empty one: its lock is a link to its tag file.)
 */
const EMPTY_STALE_MS = 1_000;
/**
 * A holder's tag: pid, Node thread id, a count of this thread's tag files and,
 * since review 32, the holder's OS thread id (Linux), `pid:thread:n:tid`.
 * Builds before review 32 wrote three fields; they read a four-field tag as
 * not a tag and wait STALE_MS for a dead holder of it (never a wrong takeover).
 */
const TAG = /^(\d+):(\d+):(\d+)(?::(\d+))?$/;

let taken = 0;
const pause = new Int32Array(new SharedArrayBuffer(4));

/** Lock files this thread holds, with how many nested `withOpenLock` calls hold each. */
const holding = new Map<string, number>();
/** When (Date.now()) `keepOpenLock` last refreshed the held lock files' age. */
let refreshed = 0;
/** How often (ms) `keepOpenLock` refreshes a held lock's age: well under STALE_MS. */
const REFRESH_MS = 2_000;

/**
 * Runs `fn` holding the open lock of the store in directory `dir` (which
 * must exist). Reentrant: a call inside `fn` (on this thread) runs at once.
 */
export function withOpenLock<T>(dir: string, fn: () => T): T {
  const file = join(dir, OPEN_LOCK);
  const depth = holding.get(file);
  if (depth !== undefined) {
    holding.set(file, depth + 1);
    try {
      return fn();
    } finally {
      holding.set(file, depth);
    }
  }
  const t = acquire(file);
  holding.set(file, 1);
  refreshed = Date.now();
  try {
    return fn();
  } finally {
    holding.delete(file);
    release(file, t);
  }
}

/**
 * Refreshes the age of the lock files this thread holds, at most every
 * REFRESH_MS: called during long write transactions, so that a waiter does
 * not take a lock held longer than STALE_MS for abandoned. O(1) between
 * refreshes (a clock read).
 */
export function keepOpenLock(): void {
  if (holding.size === 0) return;
  const now = Date.now();
  if (now - refreshed < REFRESH_MS) return;
  refreshed = now;
  const t = new Date(now);
  for (const file of holding.keys())
    try {
      utimesSync(file, t, t);
    } catch {
      // taken over meanwhile: its new holder's
    }
}

/**
 * This thread's tag file in one store's directory: `pagefork-open.lock.<pid>.<thread>.tag`,
 * holding its tag, kept open. The lock is taken by hard-linking it to the lock
 * file's name (link fails with EEXIST while another holds the lock), so the
 * lock file is never seen without its tag: before review 31 the lock was
 * created empty (O_EXCL) and its tag written after, and a holder stalled
 * more than EMPTY_STALE_MS in between was taken over (two holders).
 */
interface TagFile {
  readonly path: string;
  readonly fd: number;
  readonly ino: number;
  readonly dev: number;
}

/** This thread's tag files, by lock file. */
const tags = new Map<string, TagFile>();

/**
 * The name of this thread's tag file for lock file `file`:
 * `<file>.<pid>.<threadId>.<tid>.tag` (without `.<tid>` where the OS thread id is unknown).
 */
const tagPath = (file: string) => `${file}.${process.pid}.${threadId}${osThread === null ? "" : `.${osThread}`}.tag`;
/** A tag file's name: the lock file's, then the pid, Node thread id and (since review 32) OS thread id of its owner. */
const TAG_FILE = /^pagefork-open\.lock\.(\d+)\.(\d+)(?:\.(\d+))?\.tag$/;

/**
 * This thread's tag file for lock file `file`, created at its first use:
 * a file of this pid and thread left by a process killed before (the pid
 * reused) is replaced, never reused (it may be an abandoned lock's inode);
 * tag files of processes that no longer run are removed (they are left by
 * processes killed: a process that exits removes its own).
 */
function tagFile(file: string): TagFile {
  const known = tags.get(file);
  if (known !== undefined) return known;
  removeDeadTags(dirname(file));
  const path = tagPath(file);
  try {
    unlinkSync(path);
  } catch {}
  const fd = openSync(path, "wx");
  try {
    writeSync(fd, `${process.pid}:${threadId}:${taken++}${osThread === null ? "" : `:${osThread}`}`);
  } catch (e) {
    closeSync(fd);
    unlinkSync(path);
    throw e;
  }
  const st = fstatSync(fd);
  const t = { path, fd, ino: st.ino, dev: st.dev };
  tags.set(file, t);
  return t;
}

/**
 * Removes the tag files in `dir` of threads that no longer run: of processes
 * that no longer run, and (review 32) of threads, of this process or another,
 * whose OS thread is gone: a Worker terminated, or ended by an uncaught error,
 * without closing its stores left its tag file, which only a dead pid
 * removed before. A file without an OS thread id (a build before review 32,
 * or no procfs) of a running process is left, as is this thread's own.
 * O(directory entries).
 */
function removeDeadTags(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const own = tagPath(join(dir, OPEN_LOCK)).slice(dir.length + 1);
  for (const n of names) {
    const m = TAG_FILE.exec(n);
    if (m === null || n === own) continue;
    const pid = Number(m[1]);
    const gone = m[3] === undefined ? pid !== process.pid && !running(pid) : !threadRuns(pid, Number(m[3]));
    if (!gone) continue;
    try {
      unlinkSync(join(dir, n));
    } catch {}
  }
}

/**
 * Removes this thread's tag file of the store in directory `dir` (called
 * when this thread closed its last handle on it), unless this thread holds
 * its lock. Idempotent.
 */
export function dropOpenLockTag(dir: string): void {
  const file = join(dir, OPEN_LOCK);
  const t = tags.get(file);
  if (t === undefined || holding.has(file)) return;
  tags.delete(file);
  try {
    unlinkSync(t.path);
  } catch {}
  closeSync(t.fd);
}

/**
 * Takes the lock file `file`: sets this thread's tag file's age to now
 * (the age of a lock tells abandoned ones), then links it to `file`.
 * Two system calls.
 */
function acquire(file: string): TagFile {
  const t = tagFile(file);
  let wait = 0.05;
  for (;;) {
    const now = new Date();
    futimesSync(t.fd, now, now);
    try {
      linkSync(t.path, file);
      return t;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    if (abandoned(file)) takeOver(file);
    else {
      Atomics.wait(pause, 0, 0, wait);
      wait = Math.min(1, wait * 2);
    }
  }
}

/**
 * Removes the lock file `file` if it is still this thread's tag file (same
 * inode: a holder taken for dead, a pid reused meanwhile, may have lost it to
 * another). Compared by inode, not by reading the tag back: fewer system calls
 * on every write transaction.
 */
function release(file: string, t: TagFile): void {
  const now = statSync(file, { throwIfNoEntry: false });
  if (now !== undefined && now.ino === t.ino && now.dev === t.dev) unlinkSync(file);
}

/** True when the lock file's holder no longer holds it (see the module's doc). */
function abandoned(file: string): boolean {
  const h = holder(file);
  return h !== null && !held(h);
}

/** The text and age (ms) of a lock file, or null when there is none. */
function holder(file: string): { text: string; age: number } | null {
  try {
    const text = readFileSync(file, "utf8");
    return { text, age: Date.now() - statSync(file).mtimeMs };
  } catch {
    return null; // released meanwhile: the next create tells
  }
}

/**
 * True when a lock file of `text`, `age` ms old, is held: not older than
 * STALE_MS, and empty for at most EMPTY_STALE_MS (its holder is writing its
 * tag), or not a tag, or of a holder that runs (another thread of this
 * process releases its own).
 */
function held({ text, age }: { text: string; age: number }): boolean {
  if (age > STALE_MS) return false;
  const m = TAG.exec(text);
  if (m === null) return text !== "" || age <= EMPTY_STALE_MS;
  const pid = Number(m[1]);
  if (m[4] !== undefined) return threadRuns(pid, Number(m[4]));
  return pid === process.pid || running(pid);
}

/**
 * Removes an abandoned lock file: renamed first (atomic: of several waiters
 * taking it over, one moves it), then deleted; a waiter that moved a live
 * holder's file instead (it was released and taken again between the check
 * and the rename) puts it back, unless another waiter took the lock meanwhile.
 */
function takeOver(file: string): void {
  const moved = `${file}.${process.pid}.${threadId}.stale`;
  try {
    renameSync(file, moved);
  } catch {
    return; // another waiter moved it
  }
  const h = holder(moved); // rename keeps the file's age
  if (h !== null && held(h)) {
    try {
      linkSync(moved, file); // fails (EEXIST) when another waiter took the lock meanwhile
    } catch {}
  }
  try {
    unlinkSync(moved);
  } catch {}
}
