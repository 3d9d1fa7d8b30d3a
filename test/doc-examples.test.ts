/**
 * Runs every `@example` block in the TSDoc of the packages' sources, and every
 * `ts` block of the READMEs, so the documentation cannot drift from the code. A line of the form
 * `expression; // literal` (a number, string, array, boolean...) becomes an
 * assertion that the expression equals the literal.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as array from "@pagefork/array";
import * as core from "@pagefork/core";
import * as map from "@pagefork/map";
import * as state from "@pagefork/state";
import * as zustandMiddleware from "@pagefork/state/zustand";
import * as string from "@pagefork/string";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { create } from "zustand";

const root = fileURLToPath(new URL("..", import.meta.url));
const scope: Record<string, unknown> = { ...core, ...string, ...array, ...map, ...state, ...zustandMiddleware, create };
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<void>;

/** `@example` code blocks of one source file, with the line each starts on. */
function examples(file: string): { line: number; code: string }[] {
  const text = readFileSync(file, "utf8");
  const out: { line: number; code: string }[] = [];
  for (const m of text.matchAll(/@example\s*\n((?:\s*\*.*\n)*?)\s*\*\s*```ts\n((?:\s*\*.*\n)*?)\s*\*\s*```/g)) {
    const body = (m[2] as string)
      .split("\n")
      .map((l) => l.replace(/^\s*\* ?/, ""))
      .join("\n");
    out.push({ line: text.slice(0, m.index).split("\n").length, code: body });
  }
  return out;
}

/** Is `s` a literal we can compare against (number, string, array, boolean, null, -0...)? */
function literal(s: string): boolean {
  if (!/^[-\d"'[{tfnNI]/.test(s)) return false;
  try {
    new Function(`return (${s});`);
    return true;
  } catch {
    return false;
  }
}

/** Turns `expr; // literal` lines into assertions; drops imports. */
function instrument(code: string): string {
  return code
    .split("\n")
    .filter((l) => !/^\s*import\s/.test(l))
    .map((l) => {
      const m = /^(\s*)([^/]+?);\s*\/\/\s*(.+?)\s*$/.exec(l);
      if (m === null) return l;
      const [, indent, expr, comment] = m as unknown as [string, string, string, string];
      const value = comment.split(/\s*\(|:\s/)[0] as string; // "1 (the ...)" -> "1"
      if (/^(const|let|var|using|for|if|return)\b/.test(expr) || /[^=!<>]=[^=]/.test(expr) || !literal(value)) return l;
      return `${indent}__expect(${expr}, ${value}, ${JSON.stringify(l.trim())});`;
    })
    .join("\n");
}

function run(code: string): Promise<void> {
  const js = ts.transpileModule(instrument(code), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  const check = (actual: unknown, expected: unknown, line: string) => expect(actual, line).toEqual(expected);
  // In a block of its own, an example may declare a name the scope also has (`const t = ...`).
  return new AsyncFunction("__expect", ...Object.keys(scope), `{\n${js}\n}`)(check, ...Object.values(scope));
}

for (const pkg of ["core", "string", "array", "map", "state"]) {
  const dir = `${root}packages/${pkg}/src/`;
  describe(`@pagefork/${pkg} TSDoc examples`, () => {
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".ts"))) {
      for (const { line, code } of examples(dir + f)) {
        it(`${f}:${line}`, async () => {
          await run(code);
        });
      }
    }
  });
}

/** ```ts blocks of a markdown file, with the line each starts on. */
function markdownBlocks(file: string): { line: number; code: string }[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => ({
    line: text.slice(0, m.index).split("\n").length,
    code: m[1] as string,
  }));
}

describe("README examples", () => {
  for (const f of [
    "README.md",
    ...["core", "string", "array", "map", "state"]
      .map((p) => `packages/${p}/README.md`)
      .filter((f) => existsSync(root + f)),
  ]) {
    for (const { line, code } of markdownBlocks(root + f)) {
      it(`${f}:${line}`, async () => {
        await run(code.replace(/console\.log\(.*\);?/g, ""));
      });
    }
  }
});
