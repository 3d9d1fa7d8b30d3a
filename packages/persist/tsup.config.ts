import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  external: ["lmdb"],
  format: ["esm", "cjs"],
  dts: { compilerOptions: { paths: {}, stripInternal: true } },
  sourcemap: true,
  clean: true,
  target: "es2022",
  tsconfig: "../../tsconfig.base.json",
});
