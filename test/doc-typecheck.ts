/**
 * Type-checks documentation code blocks (README ```ts blocks, TSDoc `@example`s)
 * the way a user's strict project would: one `ts.Program` over every block as
 * an in-memory module, with the workspace's compiler options (tsconfig.json:
 * `strict`, `exactOptionalPropertyTypes`, the `paths` that map `@pagefork/*` to
 * the sources) and `noEmit`. One Program for all blocks keeps the run to a few
 * seconds: the packages' sources are parsed and bound once.
 *
 * A README block is checked exactly as written, so it must carry its own
 * imports (it must run when copied). A TSDoc example may leave the imports
 * out, as TSDoc examples usually do: it gets an import of every export of the
 * packages it does not import itself (the same scope the runtime check uses),
 * and its body goes in a block so that it may declare a name an import has.
 */
import ts from "typescript";

/** One code block to check. */
export interface DocBlock {
  /** Unique name, used as the in-memory file name. */
  readonly id: string;
  /** Where the block lives, relative to the repository root (for messages). */
  readonly file: string;
  /** 1-based line in `file` of the block's first code line. */
  readonly line: number;
  /** The code, one source line per line of `file`. */
  readonly code: string;
  /** True: checked as written (must import what it uses). False: gets the scope's imports. */
  readonly standalone: boolean;
  /** The block's language, the in-memory module's extension. Default "ts". */
  readonly language?: "ts" | "tsx" | "js" | "jsx";
  /**
   * Directory (relative to the root, with a trailing slash) the in-memory module
   * sits in, so that its imports resolve as from there: a package's README block
   * sees that package's dependencies, an example's its modules. Default
   * `test/.doc-blocks/`.
   */
  readonly dir?: string;
}

/** Modules whose exports a non-standalone block sees, in the runtime scope's order (later wins). */
export const SCOPE_MODULES = [
  "@pagefork/core",
  "@pagefork/string",
  "@pagefork/array",
  "@pagefork/map",
  "@pagefork/state",
  "@pagefork/state/zustand",
  "@pagefork/persist",
  // Type-checked only: the React examples render components, so none runs (the runtime scope has no React).
  "@pagefork/react",
] as const;

/** Exports that the runtime scope adds from elsewhere (name → module). */
export const EXTRA_SCOPE: Readonly<Record<string, string>> = {
  create: "zustand",
  // A store (@pagefork/persist) needs a directory: its examples make a temporary one.
  mkdtempSync: "node:fs",
  tmpdir: "node:os",
  join: "node:path",
};

/** Import lines (also multi-line `import { ... } from "..."`) at the start of a line. */
const IMPORT = /^import\s[\s\S]*?from\s*["'][^"']+["'];?[^\S\n]*$/gm;

/** Names bound by one import statement (default, named with or without `as`, namespace). */
function importedNames(statement: string): string[] {
  const clause = /^import\s+(?:type\s+)?([\s\S]*?)\s+from\s/.exec(statement)?.[1] ?? "";
  const names: string[] = [];
  const braces = /\{([\s\S]*)\}/.exec(clause);
  if (braces !== null) {
    for (const part of (braces[1] as string).split(",")) {
      const name = part
        .trim()
        .replace(/^type\s+/, "")
        .split(/\s+as\s+/)
        .pop();
      if (name) names.push(name);
    }
  }
  const rest = clause.replace(/\{[\s\S]*\}/, "").replace(/\*\s+as\s+/, "");
  for (const part of rest.split(",")) if (part.trim()) names.push(part.trim());
  return names;
}

interface Exports {
  values: Map<string, string>;
  types: Map<string, string>;
}

/** Every export of the scope's modules, split into values and type-only names (later modules win). */
function scopeExports(program: ts.Program, host: ts.CompilerHost, options: ts.CompilerOptions): Exports {
  const checker = program.getTypeChecker();
  const values = new Map<string, string>();
  const types = new Map<string, string>();
  const containing = program.getRootFileNames()[0] as string;
  for (const spec of SCOPE_MODULES) {
    const resolved = ts.resolveModuleName(spec, containing, options, host).resolvedModule;
    const sf = resolved && program.getSourceFile(resolved.resolvedFileName);
    const moduleSymbol = sf && checker.getSymbolAtLocation(sf);
    if (moduleSymbol === undefined) throw new Error(`doc type-check: cannot resolve ${spec}`);
    for (const sym of checker.getExportsOfModule(moduleSymbol)) {
      const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
      values.delete(sym.name);
      types.delete(sym.name);
      (target.flags & ts.SymbolFlags.Value ? values : types).set(sym.name, spec);
    }
  }
  for (const [name, spec] of Object.entries(EXTRA_SCOPE)) {
    types.delete(name);
    values.set(name, spec);
  }
  return { values, types };
}

/** `import { a, b } from "m"; import type { T } from "m";` for the names not in `skip`, on one line. */
function prelude(exports: Exports, skip: ReadonlySet<string>): string {
  const byModule = new Map<string, { values: string[]; types: string[] }>();
  const add = (names: Map<string, string>, kind: "values" | "types") => {
    for (const [name, spec] of names) {
      if (skip.has(name)) continue;
      const entry = byModule.get(spec) ?? { values: [], types: [] };
      byModule.set(spec, entry);
      entry[kind].push(name);
    }
  };
  add(exports.values, "values");
  add(exports.types, "types");
  let out = "";
  for (const [spec, { values, types }] of byModule) {
    if (values.length > 0) out += `import { ${values.join(", ")} } from ${JSON.stringify(spec)}; `;
    if (types.length > 0) out += `import type { ${types.join(", ")} } from ${JSON.stringify(spec)}; `;
  }
  return out;
}

/** The in-memory module for `block`, and how many lines precede its first code line. */
function moduleText(block: DocBlock, exports: Exports): { text: string; offset: number } {
  if (block.standalone) return { text: block.code, offset: 0 };
  const own: string[] = [];
  // Imports move to the top (an import may not sit in a block); blank lines keep the line numbers.
  const body = block.code.replace(IMPORT, (statement) => {
    own.push(statement.replace(/\s+/g, " "));
    return "\n".repeat(statement.split("\n").length - 1);
  });
  const skip = new Set(own.flatMap(importedNames));
  return { text: `${own.join(" ")} ${prelude(exports, skip)}{\n${body}\n}\n`, offset: 1 };
}

/**
 * Type-checks every block; resolves to, per block id, its errors as
 * `file:line:column - message` (an empty array when it compiles).
 *
 * @param root - the repository root (with a trailing slash); its tsconfig.json gives the options.
 */
export async function typeCheckBlocks(root: string, blocks: readonly DocBlock[]): Promise<Map<string, string[]>> {
  const config = ts.getParsedCommandLineOfConfigFile(
    `${root}tsconfig.json`,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  if (config === undefined) throw new Error("doc type-check: no tsconfig.json");
  const options: ts.CompilerOptions = {
    ...config.options,
    noEmit: true,
    // Every block is a module of its own, even one without import or export.
    moduleDetection: ts.ModuleDetectionKind.Force,
    // The packages' own sources are checked by `pnpm typecheck`; here only the blocks count.
    skipLibCheck: true,
    // JavaScript blocks are checked too.
    allowJs: true,
    checkJs: true,
  };
  const dir = `${root}test/.doc-blocks/`;
  const files = new Map<string, string>();
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => files.has(f) || fileExists.call(host, f);
  host.readFile = (f) => files.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, language, onError, create) => {
    const text = files.get(f);
    return text !== undefined
      ? ts.createSourceFile(f, text, language, true)
      : getSourceFile.call(host, f, language, onError, create);
  };
  const virtualDirs = new Set([
    dir.slice(0, -1),
    ...blocks.map((b) => `${root}${b.dir ?? "test/.doc-blocks/"}`.slice(0, -1)),
  ]);
  host.directoryExists = (d) => virtualDirs.has(d) || ts.sys.directoryExists(d);

  // First a Program over one file that imports the scope, to list the exports; the
  // second Program reuses its parsed sources.
  const scopeFile = `${dir}__scope.ts`;
  files.set(scopeFile, [...SCOPE_MODULES, ...Object.values(EXTRA_SCOPE)].map((m) => `import "${m}";`).join("\n"));
  const first = ts.createProgram([scopeFile], options, host);
  const exports = scopeExports(first, host, options);

  const where = new Map<string, { block: DocBlock; offset: number }>();
  for (const block of blocks) {
    const name = `${block.dir === undefined ? dir : root + block.dir}__doc_${block.id.replace(/[^\w.-]/g, "_")}.${block.language ?? "ts"}`;
    const { text, offset } = moduleText(block, exports);
    if (where.has(name)) throw new Error(`doc type-check: two blocks named ${block.id}`);
    files.set(name, text);
    where.set(name, { block, offset });
  }
  const program = ts.createProgram([...where.keys()], options, host, first);
  const out = new Map<string, string[]>(blocks.map((b) => [b.id, []]));
  const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  if (global.length > 0) throw new Error(ts.formatDiagnostics(global, host));
  let turned = Date.now();
  for (const [name, { block, offset }] of where) {
    // The event loop turns at least every 2 s: checking every block takes 30-90 s on a loaded
    // 2-core machine, and a worker that does not read vitest's RPC for 60 s ends the run with an
    // unhandled 'Timeout calling "onTaskUpdate"' (seen twice in session 31 under load ~17).
    if (Date.now() - turned > 2000) {
      await new Promise((resolve) => setImmediate(resolve));
      turned = Date.now();
    }
    const sf = program.getSourceFile(name);
    if (sf === undefined) throw new Error(`doc type-check: ${name} missing from the program`);
    const messages = out.get(block.id) as string[];
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const text = ts.flattenDiagnosticMessageText(d.messageText, "\n  ");
      if (d.start === undefined) {
        messages.push(`${block.file}:${block.line} - TS${d.code}: ${text}`);
        continue;
      }
      const { line, character } = sf.getLineAndCharacterOfPosition(d.start);
      // A standalone block is the file's text verbatim, so its columns are the file's too.
      const column = block.standalone ? `:${character + 1}` : "";
      messages.push(`${block.file}:${block.line + line - offset}${column} - TS${d.code}: ${text}`);
    }
  }
  return out;
}
