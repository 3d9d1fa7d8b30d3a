/**
 * The libraries compared, by id: their display names, the package their
 * version is read from, and the order and colours the charts use.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** One library (or built-in) that cases are run against. */
export interface Library {
  id: string;
  name: string;
  /** npm package whose package.json gives the version; undefined for Node built-ins. */
  packageName?: string;
}

/** Every library, in chart legend order: pagefork first. */
export const LIBRARIES: readonly Library[] = [
  { id: "pagefork", name: "pagefork", packageName: "@pagefork/core" },
  { id: "native", name: "Node built-ins" },
  { id: "immer", name: "Immer", packageName: "immer" },
  { id: "mutative", name: "Mutative", packageName: "mutative" },
  { id: "immutable", name: "Immutable.js", packageName: "immutable" },
  { id: "jumprope", name: "jumprope", packageName: "jumprope" },
];

/** Packages whose versions the results record (pagefork's four and every peer). */
const VERSIONED_PACKAGES = [
  "@pagefork/core",
  "@pagefork/array",
  "@pagefork/map",
  "@pagefork/string",
  "@pagefork/state",
  "@pagefork/persist",
  "immer",
  "mutative",
  "immutable",
  "jumprope",
  "tinybench",
  "vega",
  "vega-lite",
];

/**
 * `{ package: version }` read from each package's package.json under
 * `benchDir/node_modules`, plus `node` (built-ins: Map, structuredClone,
 * TypedArray, strings). A missing package maps to `"missing"`.
 */
export function libraryVersions(benchDir: string): Record<string, string> {
  const out: Record<string, string> = { node: process.version };
  for (const name of VERSIONED_PACKAGES) {
    try {
      const pkg = JSON.parse(readFileSync(join(benchDir, "node_modules", name, "package.json"), "utf8")) as {
        version?: string;
      };
      out[name] = pkg.version ?? "unknown";
    } catch {
      out[name] = "missing";
    }
  }
  return out;
}
