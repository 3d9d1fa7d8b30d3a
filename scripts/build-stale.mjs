#!/usr/bin/env node
/**
 * Builds the workspace packages whose dist/ is missing or older than their
 * sources, and nothing else: what `pnpm demo` runs first, so that a second
 * run starts at once instead of rebuilding every package (~30 s).
 *
 *   node scripts/build-stale.mjs [--for <dir>] [--root <dir>] [--dry-run]
 *
 * --for examples/undo-redo: only the packages that one depends on (its
 * workspace dependencies, transitively); default: every package in packages/.
 * --dry-run: print what would be built, build nothing.
 *
 * A package is stale when a file its build reads (everything under src/, its
 * package.json, its tsup.config.ts, the root tsconfig.base.json) is newer
 * than the oldest file in its dist/, or when a dist file that its
 * package.json points to (main, module, types, exports) is missing. Stale
 * packages are built in dependency order with the package manager that runs
 * this script (`pnpm run build` under pnpm, else `npm run build`).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Newest (or, with `oldest`, oldest) mtime of the files under `dir`, recursively; undefined if none. */
function mtimeOf(dir, oldest = false) {
  let best;
  const visit = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.isFile()) {
        const t = statSync(p).mtimeMs;
        if (best === undefined || (oldest ? t < best : t > best)) best = t;
      }
    }
  };
  if (existsSync(dir)) visit(dir);
  return best;
}

/** The dist files `manifest` points to (main, module, types, every string in exports). */
function declaredOutputs(manifest) {
  const out = new Set();
  const walk = (v) => {
    if (typeof v === "string") {
      if (v.startsWith("./dist/") || v.startsWith("dist/")) out.add(v);
    } else if (v !== null && typeof v === "object") for (const x of Object.values(v)) walk(x);
  };
  walk([manifest.main, manifest.module, manifest.types, manifest.exports]);
  return [...out];
}

/** The workspace packages under `root`/packages: name -> { dir, manifest }. */
function workspacePackages(root) {
  const found = new Map();
  const base = join(root, "packages");
  for (const name of existsSync(base) ? readdirSync(base) : []) {
    const file = join(base, name, "package.json");
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, "utf8"));
    found.set(manifest.name, { dir: join(base, name), manifest });
  }
  return found;
}

/** Workspace dependencies of a manifest (dependencies, devDependencies, peerDependencies). */
function workspaceDeps(manifest, packages) {
  const all = { ...manifest.dependencies, ...manifest.devDependencies, ...manifest.peerDependencies };
  return Object.keys(all).filter((d) => packages.has(d));
}

/**
 * The stale packages among `targets` (and their workspace dependencies), in
 * build order (dependencies first), each as { name, dir, why }.
 *
 * @param {string} root - the workspace root.
 * @param {string | undefined} forDir - a directory whose package.json names the packages needed; undefined: all.
 */
export function stalePackages(root, forDir) {
  const packages = workspacePackages(root);
  const wanted =
    forDir === undefined
      ? [...packages.keys()]
      : workspaceDeps(JSON.parse(readFileSync(join(resolve(root, forDir), "package.json"), "utf8")), packages);
  const order = [];
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const d of workspaceDeps(packages.get(name).manifest, packages)) visit(d);
    order.push(name);
  };
  for (const name of wanted) visit(name);
  const shared = [join(root, "tsconfig.base.json")].filter(existsSync).map((f) => statSync(f).mtimeMs);
  const stale = [];
  for (const name of order) {
    const { dir, manifest } = packages.get(name);
    if (manifest.scripts?.build === undefined) continue;
    const missing = declaredOutputs(manifest).filter((f) => !existsSync(join(dir, f)));
    const built = mtimeOf(join(dir, "dist"), true);
    const inputs = [
      mtimeOf(join(dir, "src")),
      ...["package.json", "tsup.config.ts"]
        .filter((f) => existsSync(join(dir, f)))
        .map((f) => statSync(join(dir, f)).mtimeMs),
      ...shared,
    ].filter((t) => t !== undefined);
    const newest = Math.max(...inputs);
    let why;
    if (built === undefined) why = "no dist/";
    else if (missing.length > 0) why = `missing ${missing.join(", ")}`;
    else if (newest > built) why = "sources newer than dist/";
    if (why !== undefined) stale.push({ name, dir, why });
  }
  return stale;
}

function main(argv) {
  const arg = (flag) => {
    const i = argv.indexOf(flag);
    return i < 0 ? undefined : argv[i + 1];
  };
  const root = resolve(arg("--root") ?? join(fileURLToPath(new URL(".", import.meta.url)), ".."));
  const stale = stalePackages(root, arg("--for"));
  if (stale.length === 0) {
    console.error("build-stale: every package's dist/ is up to date");
    return;
  }
  // The package manager running this script (pnpm sets npm_execpath), else npm.
  const pm = process.env.npm_execpath;
  for (const { name, dir, why } of stale) {
    console.error(`build-stale: building ${name} (${why})`);
    if (argv.includes("--dry-run")) continue;
    const [cmd, args] =
      pm !== undefined && /\.c?js$/.test(pm)
        ? [process.execPath, [pm, "run", "build"]]
        : [pm ?? "npm", ["run", "build"]];
    execFileSync(cmd, args, { cwd: dir, stdio: ["ignore", 2, 2] }); // build output on stderr, as `pnpm -s build 1>&2` did
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  main(process.argv.slice(2));
