import type { FramePoolStats, SpaceStats } from "@pagefork/core";
import { formatBytes, formatCount, formatRatio } from "./format.js";

/** Memory of the selected version (`stats()`) and of the pool all versions share (`pool.stats()`). */
export function StatsPanel({ version, space, pool }: { version: number; space: SpaceStats; pool: FramePoolStats }) {
  const rows: [string, string, string][] = [
    ["RSS", formatBytes(space.rss), "frames this version maps"],
    ["PSS", formatBytes(space.pss), "each frame divided among the versions sharing it"],
    ["USS", formatBytes(space.uss), "frames no other version maps"],
    [
      "write amplification",
      formatRatio(space.writeAmplification, space.bytesWritten > 0),
      `this version's edit: ${formatBytes(space.bytesCopied)} copied for ${formatBytes(space.bytesWritten)} written` +
        ` (${space.copyFaults} copy, ${space.zeroFillFaults} zero-fill faults)`,
    ],
    ["page table", `${formatCount(space.pageTableNodes)} nodes`, formatBytes(space.pageTableBytes)],
    [
      "frames in the pool",
      formatCount(pool.framesInUse),
      `${formatBytes(pool.bytesInUse)} of ${pool.pageSize} B frames for all versions, plus ${formatBytes(pool.pageTableBytes)} of page tables`,
    ],
  ];
  return (
    <table className="stats" data-testid="stats" data-version={version}>
      <tbody>
        {rows.map(([name, value, note]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td className="num">{value}</td>
            <td className="muted">{note}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
