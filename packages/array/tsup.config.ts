import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: { compilerOptions: { paths: {}, stripInternal: true } },
  sourcemap: true,
  clean: true,
  target: "es2022",
  // esbuild renames a class that refers to itself (`var X = class _X`), so `X.name`
  // and the messages built from it would say "_X": keep the source names.
  keepNames: true,
  tsconfig: "./tsconfig.build.json",
});
