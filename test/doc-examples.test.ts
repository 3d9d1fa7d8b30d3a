/**
 * Runs every `@example` block in the TSDoc of the packages' sources, and every
 * `ts` block of the READMEs and guides, so the documentation cannot drift from the code. A line of the form
 * `expression; // literal` (a number, string, array, boolean...) becomes an
 * assertion that the expression equals the literal.
 *
 * Every block is also type-checked under the workspace's strict options (one
 * `ts.Program` over all blocks, see doc-typecheck.ts). A README block is checked as
 * written, so it must import what it uses: it has to run when a user copies it.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as array from "@pagefork/array";
import * as core from "@pagefork/core";
import * as map from "@pagefork/map";
import * as persist from "@pagefork/persist";
import * as state from "@pagefork/state";
import * as zustandMiddleware from "@pagefork/state/zustand";
import * as string from "@pagefork/string";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { create } from "zustand";
import { type DocBlock, typeCheckBlocks } from "./doc-typecheck.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const scope: Record<string, unknown> = {
  ...core,
  ...string,
  ...array,
  ...map,
  ...state,
  ...zustandMiddleware,
  ...persist,
  create,
  mkdtempSync,
  tmpdir,
  join,
};
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<void>;

/**
 * `@example` code blocks of one source file: the line of the `@example` tag
 * (names the test) and the line the code starts on (for type errors).
 */
function examples(file: string): { line: number; start: number; code: string }[] {
  const text = readFileSync(file, "utf8");
  const out: { line: number; start: number; code: string }[] = [];
  for (const m of text.matchAll(/(@example\s*\n(?:\s*\*.*\n)*?\s*\*\s*```ts\n)((?:\s*\*.*\n)*?)\s*\*\s*```/g)) {
    const body = (m[2] as string)
      .split("\n")
      .map((l) => l.replace(/^\s*\* ?/, ""))
      .join("\n");
    const lineAt = (index: number) => text.slice(0, index).split("\n").length;
    out.push({ line: lineAt(m.index), start: lineAt(m.index + (m[1] as string).length), code: body });
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

/** ```ts blocks of a markdown file, with the line of the fence. */
function markdownBlocks(file: string): { line: number; code: string }[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => ({
    line: text.slice(0, m.index).split("\n").length,
    code: m[1] as string,
  }));
}

const PACKAGES = ["core", "string", "array", "map", "state", "persist"];
/** Markdown files whose ```ts blocks must run as copied. */
const MARKDOWN = ["README.md", "docs/guide.md", ...PACKAGES.map((p) => `packages/${p}/README.md`)].filter((f) =>
  existsSync(root + f),
);

/** Every block, with the test that names it. */
interface Entry {
  readonly group: string;
  readonly name: string;
  readonly block: DocBlock;
  readonly run: () => Promise<void>;
}
const entries: Entry[] = [];
for (const pkg of PACKAGES) {
  const dir = `${root}packages/${pkg}/src/`;
  // Recursive: core keeps the heap's files in src/heap/.
  for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((n) => n.endsWith(".ts"))) {
    for (const { line, start, code } of examples(dir + f)) {
      const file = `packages/${pkg}/src/${f}`;
      entries.push({
        group: `@pagefork/${pkg} TSDoc examples`,
        name: `${f}:${line}`,
        block: { id: `${file}:${line}`, file, line: start, code, standalone: false },
        run: () => run(code),
      });
    }
  }
}
for (const file of MARKDOWN) {
  for (const { line, code } of markdownBlocks(root + file)) {
    entries.push({
      group: "README examples",
      name: `${file}:${line}`,
      block: { id: `${file}:${line}`, file, line: line + 1, code, standalone: true },
      run: () => run(code.replace(/console\.log\(.*\);?/g, "")),
    });
  }
}

/**
 * Blocks with known type errors that are fixed by someone else (their package is
 * being changed in another branch): block id → the errors expected (their first lines). Temporary:
 * the test fails as soon as the errors differ (fixed, or new ones) or the block is
 * gone, so an entry cannot outlive its reason.
 */
const KNOWN_TYPE_ERRORS: Readonly<Record<string, readonly string[]>> = {};

/** Type errors per block id, from one Program over every block (filled before the tests run). */
let typeErrors = new Map<string, string[]>();
/** Blocks that must fail, checked in the same Program: proof that the check can fail, and where it points. */
const BROKEN: readonly DocBlock[] = [
  // A README block that forgot an import, and one with a type error on its third line.
  {
    id: "broken:no-import",
    file: "BROKEN.md",
    line: 10,
    code: "const s = new AddressSpace({ size: 1 << 16 });\n",
    standalone: true,
  },
  {
    id: "broken:type",
    file: "BROKEN.md",
    line: 20,
    code: 'import { CowText } from "@pagefork/string";\nconst t = new CowText();\nconst n: string = t.length;\n',
    standalone: true,
  },
  // A TSDoc example (imports supplied) with a type error on its second line; a local
  // `t` may shadow the scope's `t` (@pagefork/state).
  { id: "broken:tsdoc", file: "src/x.ts", line: 30, code: "const t = 1;\nt.push(2);\n", standalone: false },
];
beforeAll(() => {
  typeErrors = typeCheckBlocks(root, [...entries.map((e) => e.block), ...BROKEN]);
});

it("the type check reports errors with file and line", () => {
  expect(BROKEN.map((b) => typeErrors.get(b.id)?.map((m) => m.replace(/ - TS\d+: .*/s, "")))).toEqual([
    ["BROKEN.md:10:15"],
    ["BROKEN.md:22:7"],
    ["src/x.ts:31"],
  ]);
});

for (const group of new Set(entries.map((e) => e.group))) {
  describe(group, () => {
    for (const e of entries.filter((x) => x.group === group)) {
      it(e.name, async () => {
        await e.run();
      });
      it(`${e.name} type-checks`, () => {
        const errors = typeErrors.get(e.block.id);
        expect(errors, "block missing from the type check").toBeDefined();
        const known = KNOWN_TYPE_ERRORS[e.block.id];
        if (known !== undefined) {
          const heads = errors?.map((m) => m.split("\n")[0]);
          expect(heads, `known type errors of ${e.block.id} changed: update KNOWN_TYPE_ERRORS`).toEqual(known);
          return;
        }
        expect(errors, `type errors in ${e.name}:\n${errors?.join("\n")}`).toEqual([]);
      });
    }
  });
}

it("every KNOWN_TYPE_ERRORS entry names a block", () => {
  const ids = new Set(entries.map((e) => e.block.id));
  expect(Object.keys(KNOWN_TYPE_ERRORS).filter((id) => !ids.has(id))).toEqual([]);
});
