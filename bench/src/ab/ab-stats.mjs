// Not a workload: the summary every in-process A/B script prints per build.

/** The `f` quantile of `arr` (the element at floor((n - 1) * f) of a sorted copy), to 3 decimals. */
export const quantile = (arr, f) => {
  const x = [...arr].sort((u, v) => u - v);
  return +x[Math.floor((x.length - 1) * f)].toFixed(3);
};

/**
 * A build's per-round CPU times `cpu` against the first build's `base`, round
 * by round: the median ratio and its quartiles.
 */
export function ratioSummary(cpu, base) {
  const ratios = cpu.map((c, i) => c / base[i]);
  return { ratio: quantile(ratios, 0.5), q1: quantile(ratios, 0.25), q3: quantile(ratios, 0.75) };
}
