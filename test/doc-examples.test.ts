/**
 * Runs the documentation's code, so that it cannot drift from the code:
 *
 * - every `@example` block in the TSDoc of the packages' sources;
 * - every TypeScript or JavaScript block (```ts, ```tsx, ```js...) of every
 *   shipped Markdown file (the README, docs/*.md, every package's and
 *   example's README: test/support/doc-blocks.ts lists them). A block that
 *   cannot run here (it needs a browser, a worker file, a React DOM) carries
 *   `<!-- doc-test: no-run: <reason> -->` on the line above its fence; it is
 *   still type-checked, and its test shows as skipped with the reason. Every
 *   other block runs, and fails the test if it throws.
 *
 * A line `expr; // value` asserts that `expr` is `value`, strictly, and
 * `console.log(x); // text` that the line printed is `text`
 * (test/support/doc-values.ts: what counts as a value, how it is compared).
 * A Markdown block runs with its own imports (the workspace packages,
 * zustand, `node:` modules, and for a block that imports `vitest`, a small
 * harness that runs its hooks and tests in order); a TSDoc example may leave
 * the packages' imports out.
 *
 * Every block is also type-checked under the workspace's strict options (one
 * `ts.Program` over all blocks, see doc-typecheck.ts). A Markdown block is
 * checked as written, so it must import what it uses: it has to run when a
 * user copies it.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
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
import * as zustand from "zustand";
import { type DocBlock, typeCheckBlocks } from "./doc-typecheck.js";
import { CODE_LANGUAGES, type CodeLanguage, markdownFences, shippedDocs, tsdocExamples } from "./support/doc-blocks.js";
import { instrument, mismatch, printed, valueComment } from "./support/doc-values.js";

const root = fileURLToPath(new URL("..", import.meta.url));

/** What a TSDoc example sees without importing it. */
const scope: Record<string, unknown> = {
  ...core,
  ...string,
  ...array,
  ...map,
  ...state,
  ...zustandMiddleware,
  ...persist,
  create: zustand.create,
  mkdtempSync,
  tmpdir,
  join,
};
/** What a block's `import ... from "<name>"` gets (besides `node:` modules and the vitest harness). */
const MODULES: Readonly<Record<string, unknown>> = {
  "@pagefork/core": core,
  "@pagefork/string": string,
  "@pagefork/array": array,
  "@pagefork/map": map,
  "@pagefork/state": state,
  "@pagefork/state/zustand": zustandMiddleware,
  "@pagefork/persist": persist,
  zustand,
};
const nodeRequire = createRequire(import.meta.url);
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<void>;

type Fn = () => unknown;

/**
 * `vitest` for a block that is a test file: `it`/`test`, `describe` and the four hooks collect,
 * `expect` is vitest's; {@link run} then runs beforeAll, each test between beforeEach and
 * afterEach, and afterAll, in order, and fails on the first error.
 */
function vitestHarness(): { api: Record<string, unknown>; runAll: () => Promise<void> } {
  const tests: Fn[] = [];
  const hooks = { beforeAll: [] as Fn[], afterAll: [] as Fn[], beforeEach: [] as Fn[], afterEach: [] as Fn[] };
  const api = {
    expect,
    it: (_name: string, fn: Fn) => void tests.push(fn),
    test: (_name: string, fn: Fn) => void tests.push(fn),
    describe: (_name: string, fn: Fn) => void fn(),
    beforeAll: (fn: Fn) => void hooks.beforeAll.push(fn),
    afterAll: (fn: Fn) => void hooks.afterAll.push(fn),
    beforeEach: (fn: Fn) => void hooks.beforeEach.push(fn),
    afterEach: (fn: Fn) => void hooks.afterEach.push(fn),
  };
  const runAll = async () => {
    if (tests.length === 0 && hooks.beforeAll.length === 0) return;
    for (const f of hooks.beforeAll) await f();
    try {
      for (const t of tests) {
        for (const f of hooks.beforeEach) await f();
        try {
          await t();
        } finally {
          for (const f of hooks.afterEach) await f();
        }
      }
    } finally {
      for (const f of hooks.afterAll) await f();
    }
  };
  return { api, runAll };
}

/** Where a block is, for its assertions' messages. */
interface Origin {
  readonly file: string;
  /** The file's line of the block's first line. */
  readonly line: number;
  readonly language: CodeLanguage;
}

/**
 * Runs a block: its value and output comments become assertions; `scoped`: the
 * TSDoc scope is in reach. Returns the lines it printed.
 */
async function run(code: string, origin: Origin, scoped: boolean): Promise<string[]> {
  const inst = instrument(code, origin.language, origin.file, origin.line);
  if (inst.problems.length > 0)
    throw new Error(`comments that look like results but cannot be checked:\n${inst.problems.join("\n")}`);
  const js = ts.transpileModule(inst.code, {
    fileName: `block.${origin.language}`,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      jsx: ts.JsxEmit.ReactJSX,
      esModuleInterop: true,
    },
  }).outputText;
  const harness = vitestHarness();
  const require = (name: string): unknown => {
    if (name === "vitest") return harness.api;
    if (name in MODULES) return MODULES[name];
    if (name.startsWith("node:")) return nodeRequire(name);
    throw new Error(
      `${origin.file}:${origin.line}: imports "${name}", which the doc test does not provide: ` +
        "add it to MODULES in test/doc-examples.test.ts, or mark the block no-run with the reason",
    );
  };
  const lines: string[] = [];
  const log = (...args: unknown[]) => void lines.push(printed(args));
  const capture = { ...console, log, info: log, warn: log, error: log, debug: log };
  const check = (actual: unknown, expected: unknown, where: string) => {
    const m = mismatch(actual, expected);
    if (m !== null) throw new Error(`${where}\n  ${m}`);
  };
  const print = (where: string, text: string, ...args: unknown[]) => {
    const line = printed(args);
    lines.push(line);
    if (line !== text)
      throw new Error(`${where}\n  printed:       ${JSON.stringify(line)}\n  the doc shows: ${JSON.stringify(text)}`);
  };
  const exports = {};
  const names = scoped ? Object.keys(scope) : [];
  // In a block of its own, the code may declare a name the scope also has (`const t = ...`).
  await new AsyncFunction(
    "require",
    "exports",
    "module",
    "console",
    "__expect",
    "__print",
    ...names,
    `"use strict";\n{\n${js}\n}`,
  )(require, exports, { exports }, capture, check, print, ...names.map((n) => scope[n]));
  await harness.runAll();
  return lines;
}

/** One block of the documentation and the tests that check it. */
interface Entry {
  readonly group: string;
  readonly name: string;
  readonly block: DocBlock;
  /** Runs the block; null when its marker says it cannot run here. */
  readonly run: (() => Promise<unknown>) | null;
  /** Why it does not run (the marker's reason). */
  readonly noRun?: string;
}

/**
 * The directory a Markdown block's imports resolve from in the type check: a package's
 * README sees that package's dependencies, an example's README its `src/` (so `./schema.js`
 * is the example's module); a block of the root README or docs/ that imports React
 * resolves from packages/react, the one workspace package with React installed.
 */
function blockDir(file: string, code: string): string | undefined {
  const pkg = /^(packages|examples)\/([^/]+)\/README\.md$/.exec(file);
  if (pkg !== null) {
    const dir = `${pkg[1]}/${pkg[2]}/`;
    return pkg[1] === "examples" && existsSync(`${root}${dir}src`) ? `${dir}src/` : dir;
  }
  return /from\s+["']react["']/.test(code) ? "packages/react/" : undefined;
}

/** The code blocks of one Markdown text as entries, and the problems of its fences and markers. */
function markdownEntries(file: string, text: string): { entries: Entry[]; problems: string[] } {
  const { fences, problems } = markdownFences(text);
  const entries: Entry[] = [];
  for (const f of fences) {
    const language = CODE_LANGUAGES[f.language];
    if (language === undefined) continue;
    const origin: Origin = { file, line: f.line + 1, language };
    const dir = blockDir(file, f.code);
    entries.push({
      group: "Markdown examples",
      name: `${file}:${f.line}`,
      block: {
        id: `${file}:${f.line}`,
        file,
        line: f.line + 1,
        code: f.code,
        standalone: true,
        language,
        ...(dir === undefined ? {} : { dir }),
      },
      run: f.marker === null ? () => run(f.code, origin, false) : null,
      ...(f.marker === null ? {} : { noRun: f.marker.reason }),
    });
  }
  return { entries, problems: problems.map((p) => `${file}:${p}`) };
}

const PACKAGES = ["core", "string", "array", "map", "state", "persist"];
const DOCS = shippedDocs(root);

const entries: Entry[] = [];
for (const pkg of PACKAGES) {
  const dir = `${root}packages/${pkg}/src/`;
  // Recursive: core keeps the heap's files in src/heap/.
  for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((n) => n.endsWith(".ts"))) {
    for (const { line, start, language, code } of tsdocExamples(dir + f)) {
      const file = `packages/${pkg}/src/${f}`;
      entries.push({
        group: `@pagefork/${pkg} TSDoc examples`,
        name: `${f}:${line}`,
        block: { id: `${file}:${line}`, file, line: start, code, standalone: false, language },
        run: () => run(code, { file, line: start, language }, true),
      });
    }
  }
}
// The React bindings' examples render components: type-checked (resolved from packages/react,
// where React is installed), not run.
for (const { line, start, language, code } of tsdocExamples(`${root}packages/react/src/index.ts`)) {
  const file = "packages/react/src/index.ts";
  entries.push({
    group: "@pagefork/react TSDoc examples",
    name: `index.ts:${line}`,
    block: { id: `${file}:${line}`, file, line: start, code, standalone: false, language, dir: "packages/react/" },
    run: null,
    noRun: "renders React components",
  });
}
const docProblems: string[] = [];
for (const file of DOCS) {
  const found = markdownEntries(file, readFileSync(root + file, "utf8"));
  entries.push(...found.entries);
  docProblems.push(...found.problems);
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
  // A tsx block whose component gets a prop of the wrong type, resolved from packages/react
  // as the READMEs' React blocks are; and a js block calling a method that does not exist.
  {
    id: "broken:tsx",
    file: "BROKEN.md",
    line: 40,
    code: 'import { memo } from "react";\nconst Row = memo(function Row({ n }: { n: number }) {\n  return <li>{n}</li>;\n});\nexport const x = <Row n="1" />;\n',
    standalone: true,
    language: "tsx",
    dir: "packages/react/",
  },
  {
    id: "broken:js",
    file: "BROKEN.md",
    line: 50,
    code: 'import { CowText } from "@pagefork/string";\nCowText.from("a").nope();\n',
    standalone: true,
    language: "js",
  },
];
beforeAll(async () => {
  typeErrors = await typeCheckBlocks(root, [...entries.map((e) => e.block), ...BROKEN]);
});

it("the type check reports errors with file and line", () => {
  expect(BROKEN.map((b) => typeErrors.get(b.id)?.map((m) => m.replace(/ - TS\d+: .*/s, "")))).toEqual([
    ["BROKEN.md:10:15"],
    ["BROKEN.md:22:7"],
    ["src/x.ts:31"],
    ["BROKEN.md:44:23"],
    ["BROKEN.md:51:19"],
  ]);
});

it("every shipped Markdown file is read, and its fences and markers are well-formed", () => {
  for (const f of ["README.md", "docs/guide.md", "docs/workers.md", "packages/react/README.md"])
    expect(DOCS).toContain(f);
  for (const e of readdirSync(`${root}examples`)) expect(DOCS).toContain(`examples/${e}/README.md`);
  for (const p of readdirSync(`${root}packages`)) expect(DOCS).toContain(`packages/${p}/README.md`);
  expect(docProblems).toEqual([]);
});

for (const group of new Set(entries.map((e) => e.group))) {
  describe(group, () => {
    for (const e of entries.filter((x) => x.group === group)) {
      const go = e.run;
      if (go === null) it.skip(`${e.name} (not run: ${e.noRun})`, () => {});
      else
        it(e.name, async () => {
          await go();
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

it("every @example tag of the packages' sources is read (a fence the reader misses would go unchecked)", () => {
  const missed: string[] = [];
  for (const pkg of [...PACKAGES, "react"]) {
    const dir = `${root}packages/${pkg}/src/`;
    for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((n) => /\.tsx?$/.test(n))) {
      const tags = readFileSync(dir + f, "utf8").match(/^\s*\*\s*@example\b/gm)?.length ?? 0;
      const read = tsdocExamples(dir + f).length;
      if (tags !== read) missed.push(`packages/${pkg}/src/${f}: ${tags} @example tags, ${read} read`);
    }
  }
  expect(missed).toEqual([]);
});

it("every KNOWN_TYPE_ERRORS entry names a block", () => {
  const ids = new Set(entries.map((e) => e.block.id));
  expect(Object.keys(KNOWN_TYPE_ERRORS).filter((id) => !ids.has(id))).toEqual([]);
});

describe("the checker itself: a wrong doc fails", () => {
  const md = (code: string) => ({ file: "WRONG.md", line: 1, language: "ts" as const, code });
  const runMd = (code: string) => run(code, md(code), false);

  // Each of these is a doc whose stated result is wrong. Six of them passed the checker
  // before this one (a regex per line, a `literal()` test of the comment, `toEqual`): a figure
  // followed by prose, an arrow or a division in the expression, a multi-line expression (all
  // four left unchecked), a key holding undefined and a class instance for a plain object
  // (both equal under `toEqual`); and README blocks' console.log lines were deleted unrun.
  const WRONG: [string, string, RegExp][] = [
    ["a figure followed by prose", "[1, 2, 3].length; // 4 elements", /expected 4, got 3/],
    ["an arrow in the expression", "[1, 2].map((x) => x * 2); // [2, 5]", /\[1\]: expected 5, got 4/],
    ["a division", "6 / 3; // 3", /expected 3, got 2/],
    ["a multi-line expression", "Math.max(\n  1,\n  2,\n); // 1", /WRONG\.md:4: .*\n\s+expected 1, got 2/],
    ["a value comment inside a callback", "[1].forEach((x) => {\n  x + 1; // 3\n});", /WRONG\.md:2/],
    ["digit groups", "2048; // 2,048", /without digit groups/],
    ["a key holding undefined", "({ a: 1, b: undefined }); // { a: 1 }", /keys differ \(missing: none; extra: b\)/],
    ["a typed array for an array", "Float64Array.of(1, 2); // [1, 2]", /expected an Array, got a Float64Array/],
    ["a string for a number", '"1"; // 1', /expected 1, got '1'/],
    ["-0 for 0", "-0; // 0", /expected 0, got -0/],
    [
      "a class instance for a plain object",
      "new (class P { a = 1 })(); // { a: 1 }",
      /expected a plain object, got a P/,
    ],
    ["printed output", "console.log([1, 2]); // [ 1, 3 ]", /printed: {7}"\[ 1, 2 \]"/],
    ["an assignment with a value comment", "let a = 0;\na = 5; // 5", /a value comment on an assignment/],
    ["a value that is an expression", "2; // 1 + 1", /not a literal/],
    [
      "a vitest block whose test fails",
      'import { expect, it } from "vitest";\nit("x", () => {\n  expect(1).toBe(2);\n});',
      /expected 1 to be 2/,
    ],
  ];
  for (const [what, code, error] of WRONG)
    it(`fails on ${what}`, async () => {
      await expect(runMd(code)).rejects.toThrow(error);
    });

  it("passes the same docs when they are right, and checks every assertion", async () => {
    const right = [
      "[1, 2, 3].length; // 3 elements",
      "[1, 2].map((x) => x * 2); // [2, 4]",
      "6 / 3; // 2: a half",
      "({ a: 1, b: [true, null] }); // { a: 1, b: [true, null] }",
      "console.log([1, 2]); // [ 1, 2 ]",
      "Number.NaN; // NaN",
      "-0; // -0",
      "2n ** 64n; // 18446744073709551616n",
      '"a: b"; // "a: b" (a string with a colon)',
      "[1].length; // O(1): prose, not a value",
    ].join("\n");
    expect(instrument(right, "ts", "RIGHT.md", 1).assertions).toBe(9);
    expect(await runMd(right)).toEqual(["[ 1, 2 ]"]);
  });

  it("reads value comments: the value, prose, or a problem", () => {
    expect(
      [
        "3",
        "3 (pages)",
        "true: same",
        '"a, b": x',
        "[1, [2]] (nested)",
        "O(1)",
        "copies one page",
        "1,000",
        "{ a: 1",
      ].map((c) => {
        const v = valueComment(c);
        return v.kind === "value" ? v.source : v.kind;
      }),
    ).toEqual(["3", "3", "true", '"a, b"', "[1, [2]]", "prose", "prose", "bad", "bad"]);
  });

  it("runs an unmarked block and fails on its error; a marked block is type-checked only", async () => {
    const text = [
      "# A doc",
      "",
      "```ts",
      'throw new Error("this block is broken");',
      "```",
      "",
      "<!-- doc-test: no-run: needs a browser (document) -->",
      "```ts",
      "document.title;",
      "```",
    ].join("\n");
    const { entries: found, problems } = markdownEntries("DOC.md", text);
    expect(problems).toEqual([]);
    expect(found.map((e) => [e.name, e.run === null, e.noRun])).toEqual([
      ["DOC.md:3", false, undefined],
      ["DOC.md:8", true, "needs a browser (document)"],
    ]);
    await expect(found[0]?.run?.()).rejects.toThrow("this block is broken");
  });

  it("reports fences and markers the test cannot account for", () => {
    const text = [
      "```",
      "no language",
      "```",
      "```typescriptx",
      "x",
      "```",
      "<!-- doc-test: no-run -->",
      "```ts",
      "x;",
      "```",
      "<!-- doc-test: no-run: a reason -->",
      "",
      "text",
      "<!-- doc-test: no-run: output -->",
      "```text",
      "x",
      "```",
    ].join("\n");
    expect(markdownFences(text).problems).toEqual([
      "1: a fence without a language (write ```text for output)",
      '4: a fence of unknown language "typescriptx" (known: see test/support/doc-blocks.ts)',
      '7: a doc-test marker must read "<!-- doc-test: no-run: <reason> -->", not "<!-- doc-test: no-run -->"',
      "11: a doc-test marker not followed by a code fence",
      "14: a doc-test marker above a `text` block, not code",
    ]);
  });
});
