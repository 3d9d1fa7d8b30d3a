/**
 * The README's "The code" block, run as a user would copy it: its imports are the example's
 * own dependencies, and each `expression; // literal` line (a string, number or boolean) is
 * checked against the literal. The test counts those checks, so a README edit that loses them
 * fails here instead of checking nothing.
 */
import { readFileSync } from "node:fs";
import * as state from "@pagefork/state";
import ts from "typescript";
import { expect, it } from "vitest";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const block = /## The code\n\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";

it("the README's code block runs, and its stated results hold", () => {
  expect(block).toMatch(/from "@pagefork\/state"/);
  let checks = 0;
  const code = block
    .split("\n")
    .map((line) => {
      if (/^import\s/.test(line)) {
        expect(line, "the block imports only @pagefork/state").toMatch(/from "@pagefork\/state";$/);
        return "";
      }
      const m = /^(\s*)([^=/]+?);\s*\/\/\s*("[^"]*"|true|false|-?\d[\d_.]*)(?=$|[:\s(])/.exec(line);
      if (m === null) return line;
      checks++;
      return `${m[1]}__expect(${m[2]}, ${m[3]}, ${JSON.stringify(line.trim())});`;
    })
    .join("\n");
  const js = ts.transpileModule(code, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  const check = (actual: unknown, expected: unknown, line: string) => expect(actual, line).toEqual(expected);
  new Function("__expect", ...Object.keys(state), js)(check, ...Object.values(state));
  expect(checks, "checked lines in the block").toBe(2);
});
