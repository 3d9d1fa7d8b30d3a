/**
 * Test helper: bundles a TypeScript entry with tsup (esbuild) as `pnpm build`
 * does, for tests that run it in a child process or import the bundle. The
 * workspace packages are inlined from their TypeScript sources (the "source"
 * export condition), so no build step is needed; `external` names the
 * packages left as imports (native addons such as lmdb).
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "tsup";

const TSCONFIG = fileURLToPath(new URL("../../tsconfig.base.json", import.meta.url));

/** Bundles `entry` into `outDir/<name>.<ext>` (ESM) and returns that file's path. */
export async function bundle(
  entry: string,
  outDir: string,
  name: string,
  options: { ext?: ".js" | ".mjs"; external?: string[] } = {},
): Promise<string> {
  const ext = options.ext ?? ".mjs";
  const external = options.external ?? [];
  await build({
    entry: { [name]: entry },
    format: ["esm"],
    outExtension: () => ({ js: ext }),
    outDir,
    target: "es2022",
    keepNames: true, // as the packages' tsup.config.ts
    dts: false,
    silent: true,
    config: false,
    external,
    noExternal: [external.length === 0 ? /.*/ : new RegExp(`^(?!(${external.join("|")}))`)],
    esbuildOptions(o) {
      o.conditions = ["source"];
    },
    tsconfig: TSCONFIG,
  });
  return join(outDir, name + ext);
}
