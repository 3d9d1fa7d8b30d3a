import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  external: ["react", "use-sync-external-store"],
  format: ["esm", "cjs"],
  dts: { compilerOptions: { paths: {}, stripInternal: true } },
  sourcemap: true,
  clean: true,
  target: "es2022",
  tsconfig: "../../tsconfig.base.json",
});
