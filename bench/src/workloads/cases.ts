/**
 * Building a workload's cases: one helper so every case gets a key, a heap
 * limit and a time limit the same way.
 *
 * @module
 */
import type { CaseSpec, ParamValue, WorkloadId } from "../model.js";

/** Heap limit of a child unless the case asks for more (MiB). */
export const DEFAULT_HEAP_MIB = 4096;

/** What a workload states about one case; the rest has defaults. */
export interface CaseInput {
  /** Default `variant@group`. */
  key?: string;
  variant: string;
  library: string;
  label: string;
  short: string;
  group: string;
  params: Record<string, ParamValue>;
  baseline?: boolean;
  heapMiB?: number;
  /** Time limit in a full run, s (default 300); `--quick` caps it at 60 s. */
  timeoutSeconds?: number;
  skip?: string;
}

/** A {@link CaseSpec} (key `variant@group` unless given). */
export function makeCase(workload: WorkloadId, quick: boolean, c: CaseInput): CaseSpec {
  const timeout = Math.min(c.timeoutSeconds ?? 300, quick ? 60 : Number.POSITIVE_INFINITY);
  const spec: CaseSpec = {
    workload,
    key: c.key ?? `${c.variant}@${c.group}`,
    variant: c.variant,
    library: c.library,
    label: c.label,
    short: c.short,
    group: c.group,
    baseline: c.baseline ?? false,
    params: c.params,
    heapMiB: c.heapMiB ?? DEFAULT_HEAP_MIB,
    timeoutMs: timeout * 1000,
  };
  if (c.skip !== undefined) spec.skip = c.skip;
  return spec;
}

/** A number parameter of a running case (throws if the plan did not set it). */
export function numParam(params: Record<string, ParamValue>, name: string): number {
  const v = params[name];
  if (typeof v !== "number") throw new Error(`case parameter "${name}" is ${String(v)}, expected a number`);
  return v;
}

/** A string parameter of a running case. */
export function strParam(params: Record<string, ParamValue>, name: string): string {
  const v = params[name];
  if (typeof v !== "string") throw new Error(`case parameter "${name}" is ${String(v)}, expected a string`);
  return v;
}

/** Throws with `what` unless `ok`: the correctness checks every variant makes on its own output. */
export function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`check failed: ${what}`);
}
