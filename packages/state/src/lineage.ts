/**
 * A lineage: every version that descends from one `createState` call (its
 * produces, forks and their descendants). It owns what those versions share
 * on the JS side: the stamp counter and the identity cache of views.
 *
 * Stamps. Every node (a record or a container) holds a stamp, an f64 at
 * offset 0. A node gets a new stamp when it is created, and whenever it or
 * anything under it changes in a `produce`; a node that did not change keeps
 * its stamp in every later version. Stamps come from this one counter, so
 * within a lineage a stamp names one node *content*: two versions whose node
 * at some address has the same stamp hold the same subtree there, byte for
 * byte. (The idea is the version stamp of persistent structures with path
 * copying, e.g. Driscoll et al. 1989, applied per record; Immer gets the same
 * effect from object identity.)
 *
 * Identity. A view is made at most once per stamp and kept in `views`
 * through a WeakRef: reading the same record twice, in one version or in two
 * versions where it did not change, gives the same object (`===`), which is
 * what `React.memo` and selectors compare. Entries whose view was garbage
 * collected are swept when the map has doubled since the last sweep, so the
 * map stays proportional to the views alive.
 *
 * @module
 */

/** The part of a version that views read through (see state.ts). */
export interface VersionLike {
  /** True once the version was released. */
  readonly released: boolean;
}

/** What the cache holds for a view: the object users see and where it reads from. */
export interface ViewRecord {
  /** The object handed to users (a Proxy for structs and lists, the record itself otherwise). */
  readonly proxy: object;
  /** The node's stamp. */
  readonly stamp: number;
}

/** The JS-side state shared by all versions of one lineage. */
export class Lineage {
  /** Next stamp to hand out. */
  private next: number;
  /** stamp -> view, weakly. */
  private readonly views: Map<number, WeakRef<ViewRecord>>;
  /** `views.size` after the last sweep. */
  private swept: number;
  /**
   * Versions not yet released, weakly (a version dropped without `release()`
   * must stay collectable, so that its pool's FinalizationRegistry can reclaim
   * its space): where a view whose own version was released can read instead.
   */
  readonly live: Set<WeakRef<VersionLike>>;

  /** @param first the first stamp to hand out (one above the largest stamp in a loaded version). */
  constructor(first = 1) {
    this.next = first;
    this.views = new Map();
    this.swept = 64;
    this.live = new Set();
  }

  /**
   * The stamp `stamp()` hands out next, without taking it: every node of the
   * lineage has a smaller one (for a handle to another thread, or a saved
   * version). O(1).
   */
  get nextStamp(): number {
    return this.next;
  }

  /** A stamp no node of this lineage has had. O(1). */
  stamp(): number {
    return this.next++;
  }

  /** Makes sure later stamps are above `stamp` (after loading a version). */
  observe(stamp: number): void {
    if (stamp >= this.next) this.next = stamp + 1;
  }

  /** The live view of the node content `stamp`, or undefined. O(1). */
  view(stamp: number): ViewRecord | undefined {
    return this.views.get(stamp)?.deref();
  }

  /** Remembers `record` as the view of `stamp`. O(1) amortized. */
  remember(record: ViewRecord): void {
    this.views.set(record.stamp, new WeakRef(record));
    if (this.views.size > this.swept * 2) this.sweep();
  }

  /** Drops the entries whose view was collected. O(entries). */
  private sweep(): void {
    for (const [k, ref] of this.views) if (ref.deref() === undefined) this.views.delete(k);
    this.swept = Math.max(64, this.views.size);
  }
}
