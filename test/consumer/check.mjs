#!/usr/bin/env node
/**
 * Packs every package (as npm would publish it), installs the tarballs into a
 * fresh consumer project, and compiles index.ts there with `strict` and
 * `skipLibCheck: false`, under both `moduleResolution: "NodeNext"` and
 * `"Bundler"`: the shipped .d.ts files must compile in a user's project.
 * Run from the repository root after `pnpm build`: `node test/consumer/check.mjs`.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");
const work = mkdtempSync(join(tmpdir(), "pagefork-consumer-"));
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
try {
  const tgz = join(work, "tgz");
  for (const pkg of ["core", "string", "array", "map", "state", "react", "persist"])
    run("npx", ["-y", "pnpm@10.34.8", "pack", "--pack-destination", tgz], join(root, "packages", pkg));
  const tarballs = readdirSync(tgz).map((f) => join(tgz, f));
  for (const [name, module, moduleResolution] of [
    ["nodenext", "NodeNext", "NodeNext"],
    ["bundler", "ESNext", "Bundler"],
  ]) {
    const dir = join(work, name);
    cpSync(join(root, "test/consumer/index.ts"), join(dir, "index.ts"));
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ name: `consumer-${name}`, private: true, type: "module" }),
    );
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          target: "ES2022",
          lib: ["ES2023", "DOM", "ESNext.Disposable"],
          module,
          moduleResolution,
          types: [],
        },
        files: ["index.ts"],
      }),
    );
    run(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--silent",
        ...tarballs,
        "zustand@5",
        "react@19",
        "@types/react@19",
        "typescript@5.9",
      ],
      dir,
    );
    run("npx", ["tsc", "-p", "tsconfig.json"], dir);
    console.log(`consumer (${moduleResolution}): the packed packages' types compile with skipLibCheck off`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
