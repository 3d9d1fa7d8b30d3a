/**
 * Test helper of the docs test (test/doc-examples.test.ts): finds the code of
 * the documentation. The shipped Markdown files, their fenced code blocks
 * (with the language of each, and the `doc-test` marker that may stand right
 * above one), and the `@example` blocks of TSDoc comments.
 *
 * A marker is an HTML comment on the line right above a fence, invisible on
 * GitHub and in TypeDoc:
 *
 *     <!-- doc-test: no-run: needs a worker thread (worker, parentPort) -->
 *     ```ts
 *
 * `no-run` (with its reason, required) keeps a block from being executed; it
 * is still type-checked. It is the only directive. A marker that is not
 * followed by a TypeScript or JavaScript fence, names another directive, or
 * gives no reason is reported as a problem, as is a fence without a language
 * or with one the test does not know (so a code block cannot escape the test
 * by being labelled `typescript ` or nothing).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";

/** The languages whose blocks are type-checked (and run unless marked), by info string. */
export const CODE_LANGUAGES: Readonly<Record<string, CodeLanguage>> = {
  ts: "ts",
  typescript: "ts",
  tsx: "tsx",
  js: "js",
  javascript: "js",
  mjs: "js",
  jsx: "jsx",
};
/** Languages of blocks that are not code the test can check (commands, output, diagrams). */
export const OTHER_LANGUAGES: ReadonlySet<string> = new Set([
  "sh",
  "bash",
  "shell",
  "console",
  "text",
  "txt",
  "json",
  "jsonc",
  "yaml",
  "diff",
  "html",
  "css",
]);

/** A language the test type-checks: the extension its in-memory module gets. */
export type CodeLanguage = "ts" | "tsx" | "js" | "jsx";

/** A `<!-- doc-test: ... -->` marker. */
export interface Marker {
  readonly directive: "no-run";
  /** Why the block cannot run here (shown as the skipped test's name). */
  readonly reason: string;
}

/** One fenced code block of a Markdown file. */
export interface Fence {
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The info string's first word, lower-cased ("" when there is none). */
  readonly language: string;
  /** The block's text, one line per line of the file (from `line + 1`). */
  readonly code: string;
  /** The marker on the line above, if any. */
  readonly marker: Marker | null;
}

/** The fences of a Markdown text, and what is wrong with its fences and markers (as `line: problem`). */
export function markdownFences(text: string): { fences: Fence[]; problems: string[] } {
  const lines = text.split("\n");
  const fences: Fence[] = [];
  const problems: string[] = [];
  let pending: { line: number; marker: Marker | null } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const markerText = /<!--\s*doc-test\b([\s\S]*?)-->/.exec(line);
    if (markerText !== null) {
      const m = /^:\s*no-run\s*:\s*(\S[\s\S]*?)\s*$/.exec(markerText[1] as string);
      if (m === null)
        problems.push(
          `${i + 1}: a doc-test marker must read "<!-- doc-test: no-run: <reason> -->", not "${line.trim()}"`,
        );
      pending = { line: i + 1, marker: m === null ? null : { directive: "no-run", reason: m[1] as string } };
      continue;
    }
    if (/^\s+(`{3,}|~{3,})/.test(line))
      problems.push(`${i + 1}: an indented fence (the doc test reads fences at the start of a line only)`);
    const open = /^(`{3,}|~{3,})\s*([^`\s]*)(.*)$/.exec(line);
    if (open === null) {
      if (pending !== null && line.trim() !== "") {
        problems.push(`${pending.line}: a doc-test marker not followed by a code fence`);
        pending = null;
      }
      continue;
    }
    const fence = open[1] as string;
    const language = (open[2] as string).toLowerCase();
    let end = i + 1;
    while (end < lines.length && !new RegExp(`^${fence[0]}{${fence.length},}\\s*$`).test(lines[end] as string)) end++;
    if (end === lines.length) problems.push(`${i + 1}: a fence that is never closed`);
    let marker: Marker | null = null;
    if (pending !== null) {
      if (pending.line !== i)
        problems.push(`${pending.line}: a doc-test marker must be on the line right above its fence`);
      else if (!(language in CODE_LANGUAGES))
        problems.push(`${pending.line}: a doc-test marker above a \`${language || "(none)"}\` block, not code`);
      marker = pending.marker;
      pending = null;
    }
    if (language === "") problems.push(`${i + 1}: a fence without a language (write \`\`\`text for output)`);
    else if (!(language in CODE_LANGUAGES) && !OTHER_LANGUAGES.has(language))
      problems.push(`${i + 1}: a fence of unknown language "${language}" (known: see test/support/doc-blocks.ts)`);
    fences.push({ line: i + 1, language, code: lines.slice(i + 1, end).join("\n"), marker });
    i = end;
  }
  if (pending !== null) problems.push(`${pending.line}: a doc-test marker not followed by a code fence`);
  return { fences, problems };
}

/**
 * The Markdown files shipped with the project, relative to `root`: the
 * README, docs/*.md, every package's and example's README and the bench's.
 */
export function shippedDocs(root: string): string[] {
  const dirs = (d: string) =>
    readdirSync(root + d, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `${d}/${e.name}`)
      .sort();
  return [
    "README.md",
    ...readdirSync(`${root}docs`)
      .filter((f) => f.endsWith(".md"))
      .sort()
      .map((f) => `docs/${f}`),
    ...dirs("packages").map((d) => `${d}/README.md`),
    ...dirs("examples").map((d) => `${d}/README.md`),
    "bench/README.md",
  ].filter((f) => existsSync(root + f));
}

/** One `@example` block of a TSDoc comment. */
export interface TsdocExample {
  /** Line of the `@example` tag (names the test). */
  readonly line: number;
  /** Line the code starts on (for type errors). */
  readonly start: number;
  readonly language: CodeLanguage;
  readonly code: string;
}

/** The `@example` code blocks (```ts or ```tsx) of one source file. */
export function tsdocExamples(file: string): TsdocExample[] {
  const text = readFileSync(file, "utf8");
  const out: TsdocExample[] = [];
  const lineAt = (index: number) => text.slice(0, index).split("\n").length;
  for (const m of text.matchAll(/(@example\s*\n(?:\s*\*.*\n)*?\s*\*\s*```(tsx?)\n)((?:\s*\*.*\n)*?)\s*\*\s*```/g)) {
    const code = (m[3] as string)
      .split("\n")
      .map((l) => l.replace(/^\s*\* ?/, ""))
      .join("\n");
    out.push({
      line: lineAt(m.index),
      start: lineAt(m.index + (m[1] as string).length),
      language: m[2] as CodeLanguage,
      code,
    });
  }
  return out;
}
