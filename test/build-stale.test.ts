/**
 * scripts/build-stale.mjs (what `pnpm demo` runs before the demo): it builds a
 * package only when its dist/ is missing, incomplete or older than its
 * sources, in dependency order, and only the packages the target needs.
 * Checked on a small fake workspace whose "build" writes dist/ and logs.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script, without declarations
import { stalePackages } from "../scripts/build-stale.mjs";

const script = fileURLToPath(new URL("../scripts/build-stale.mjs", import.meta.url));
let root = "";

/** A package `name` depending on `deps`, whose build copies src/index.js to dist/ and appends to build.log. */
function addPackage(name: string, deps: string[] = [], build = true): void {
  const dir = join(root, "packages", name);
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "src/index.js"), `export const name = "${name}";\n`);
  const manifest = {
    name: `@w/${name}`,
    main: "./dist/index.js",
    exports: { ".": { import: "./dist/index.js", types: "./dist/index.d.ts" } },
    scripts: build
      ? {
          build:
            "node -e \"const f=require('fs');f.mkdirSync('dist',{recursive:true});f.copyFileSync('src/index.js','dist/index.js');f.writeFileSync('dist/index.d.ts','');f.appendFileSync('../../build.log',require('./package.json').name+'\\n')\"",
        }
      : {},
    dependencies: Object.fromEntries(deps.map((d) => [`@w/${d}`, "workspace:^"])),
  };
  writeFileSync(join(dir, "package.json"), JSON.stringify(manifest));
}

/** Sets a file's mtime `seconds` from now. */
function touch(file: string, seconds: number): void {
  const t = Date.now() / 1000 + seconds;
  utimesSync(file, t, t);
}

/**
 * Sets every dist/ file 50 s in the past (sources are 100 s old): a change
 * "after the build" is then a touch at -10 s, which a rebuild (now) is newer than.
 */
function ageBuilds(): void {
  for (const p of ["core", "text", "other"])
    for (const f of ["index.js", "index.d.ts"]) touch(join(root, "packages", p, "dist", f), -50);
}

/** Runs the script's CLI with npm as the package manager; returns the packages it built, in order. */
function run(...args: string[]): string[] {
  writeFileSync(join(root, "build.log"), "");
  const env = { ...process.env };
  delete env.npm_execpath;
  execFileSync(process.execPath, [script, "--root", root, ...args], { env, stdio: "ignore" });
  return readFileSync(join(root, "build.log"), "utf8").split("\n").filter(Boolean);
}

const names = (stale: { name: string }[]) => stale.map((s) => s.name);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "pagefork-build-stale-"));
  addPackage("core");
  addPackage("text", ["core"]);
  addPackage("other", ["core"]);
  addPackage("docs-only", [], false); // no build script: never built
  mkdirSync(join(root, "app"));
  writeFileSync(
    join(root, "app/package.json"),
    JSON.stringify({ name: "app", dependencies: { "@w/text": "workspace:^" } }),
  );
  writeFileSync(join(root, "tsconfig.base.json"), "{}");
  for (const f of ["tsconfig.base.json", "app/package.json"]) touch(join(root, f), -100);
  for (const p of ["core", "text", "other", "docs-only"])
    for (const f of ["src/index.js", "package.json"]) touch(join(root, "packages", p, f), -100);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("build-stale", () => {
  it("a fresh clone builds everything the target needs, dependencies first; then nothing", () => {
    expect(run("--for", "app")).toEqual(["@w/core", "@w/text"]);
    expect(run("--for", "app")).toEqual([]);
    expect(run()).toEqual(["@w/other"]); // every package: only the one not built yet
    expect(run()).toEqual([]);
  });

  it("rebuilds exactly the packages whose sources, package.json or tsup config changed", () => {
    run();
    ageBuilds();
    expect(run()).toEqual([]);
    touch(join(root, "packages/text/src/index.js"), -10);
    expect(names(stalePackages(root, "app"))).toEqual(["@w/text"]);
    expect(run("--for", "app")).toEqual(["@w/text"]);
    touch(join(root, "packages/text/src/index.js"), -100); // as if long ago: only the next changes count
    ageBuilds();
    touch(join(root, "packages/core/package.json"), -10);
    writeFileSync(join(root, "packages/other/tsup.config.ts"), "");
    touch(join(root, "packages/other/tsup.config.ts"), -10);
    // Dependencies first; otherwise in directory order (core, other, text).
    expect(run()).toEqual(["@w/core", "@w/other"]);
    expect(run()).toEqual([]);
  });

  it("a change to the shared tsconfig.base.json rebuilds every package", () => {
    run();
    ageBuilds();
    touch(join(root, "tsconfig.base.json"), -10);
    expect(names(stalePackages(root, undefined))).toEqual(["@w/core", "@w/other", "@w/text"]);
  });

  it("a dist/ that lacks a file package.json points to is rebuilt, whatever the times", () => {
    run();
    rmSync(join(root, "packages/core/dist/index.d.ts"));
    expect(stalePackages(root, "app")).toEqual([
      { name: "@w/core", dir: join(root, "packages/core"), why: "missing ./dist/index.d.ts" },
    ]);
    rmSync(join(root, "packages/core/dist"), { recursive: true });
    expect(stalePackages(root, "app")[0].why).toBe("no dist/");
  });

  it("--dry-run builds nothing", () => {
    expect(run("--dry-run")).toEqual([]);
    expect(names(stalePackages(root, undefined))).toEqual(["@w/core", "@w/other", "@w/text"]);
  });
});
