/**
 * What machine and runtime a result came from.
 *
 * @module
 */
import os from "node:os";

/** The machine and runtime, recorded in the results JSON and RESULTS.md. */
export interface Environment {
  /** ISO time the run started. */
  date: string;
  hostname: string;
  node: string;
  v8: string;
  platform: string;
  arch: string;
  /** `os.cpus()[0].model`. */
  cpuModel: string;
  cpuCount: number;
  totalMemoryBytes: number;
  /** 1/5/15-minute load averages when the bench started (the machine may be shared). */
  loadAverageAtStart: number[];
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
