/**
 * What machine and runtime a result came from.
 *
 * @module
 */
import os from "node:os";

export interface Environment {
  date: string;
  hostname: string;
  node: string;
  v8: string;
  platform: string;
  arch: string;
  cpuModel: string;
  cpuCount: number;
  totalMemoryBytes: number;
  /** 1/5/15-minute load averages when the bench started (the machine is shared). */
  loadAverageAtStart: number[];
  exposeGc: boolean;
}

export function describeEnvironment(): Environment {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    hostname: os.hostname(),
    node: process.version,
    v8: process.versions.v8,
    platform: os.platform(),
    arch: os.arch(),
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cpuCount: cpus.length,
    totalMemoryBytes: os.totalmem(),
    loadAverageAtStart: os.loadavg(),
    exposeGc: typeof (globalThis as { gc?: unknown }).gc === "function",
  };
}

/** Local calendar date as YYYY-MM-DD (for file names). */
export function localDate(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The host name made safe for a file name. */
export function fileSafeHostname(): string {
  return os.hostname().replace(/[^A-Za-z0-9._-]+/g, "-") || "host";
}
