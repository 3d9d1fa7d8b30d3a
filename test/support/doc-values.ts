/**
 * Test helper of the docs test (test/doc-examples.test.ts): turns what a doc
 * block says it computes into assertions, and compares strictly.
 *
 * - `expr; // value` (an expression statement with a trailing comment that
 *   starts like a value: a number, a string, `[`, `{`, `true`, `false`,
 *   `null`, `undefined`, `NaN`, `Infinity`) asserts that `expr` equals the
 *   value. The value is the longest prefix of the comment that is a literal
 *   (numbers, bigints, strings, booleans, `null`, `undefined`, `NaN`,
 *   `Infinity`, arrays and plain objects of those); the rest is prose (`// 3
 *   (the pages it copied)`, `// true: unchanged`). A comment that starts like
 *   a value but is not one (`// 2,048 frames`, `// 1 + 1`, `// [1, 2`) is a
 *   problem, not prose: it would otherwise go unchecked. Found from the
 *   syntax tree, so an expression may hold `/`, `=>` or strings, span lines,
 *   or sit inside a callback.
 * - `console.log(args); // text` asserts that the line printed is `text`
 *   exactly (`util.format` without colours, as Node prints to a file).
 * - Comments on declarations (`const a = f(); // 8 MB of zeros`) and on
 *   control statements (`for (...) a.set(i, 0); // 2 pages`) are prose.
 *   A value comment on an assignment is a problem (which value would it be?).
 *
 * The comparison ({@link mismatch}) is strict: primitives by `Object.is` (so
 * `-0` is not `0`, `1` is not `"1"`), an array literal only matches an
 * `Array` of the same length (not a typed array, a vector or a view), an
 * object literal only a plain object with exactly its keys (an extra key, one
 * holding `undefined` included, is a mismatch).
 */
import { formatWithOptions, inspect } from "node:util";
import ts from "typescript";

/** What a trailing comment says. */
export type ValueComment =
  | { readonly kind: "prose" }
  | { readonly kind: "value"; readonly source: string }
  | { readonly kind: "bad"; readonly why: string };

const VALUE_START = /^(?:[-+]?\.?\d|[-+]?Infinity\b|["'`[{]|(?:true|false|null|undefined|NaN)\b)/;

/** Is `node` a literal value (see the module's description)? */
function isLiteralNode(node: ts.Node): boolean {
  switch (node.kind) {
    case ts.SyntaxKind.NumericLiteral:
    case ts.SyntaxKind.BigIntLiteral:
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.NullKeyword:
      return true;
    case ts.SyntaxKind.Identifier:
      return ["undefined", "NaN", "Infinity"].includes((node as ts.Identifier).text);
    case ts.SyntaxKind.PrefixUnaryExpression: {
      const u = node as ts.PrefixUnaryExpression;
      const operand = u.operand;
      return (
        (u.operator === ts.SyntaxKind.MinusToken || u.operator === ts.SyntaxKind.PlusToken) &&
        (ts.isNumericLiteral(operand) ||
          ts.isBigIntLiteral(operand) ||
          (ts.isIdentifier(operand) && operand.text === "Infinity"))
      );
    }
    case ts.SyntaxKind.ArrayLiteralExpression:
      return (node as ts.ArrayLiteralExpression).elements.every(isLiteralNode);
    case ts.SyntaxKind.ObjectLiteralExpression:
      return (node as ts.ObjectLiteralExpression).properties.every(
        (p) =>
          ts.isPropertyAssignment(p) &&
          (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) || ts.isNumericLiteral(p.name)) &&
          isLiteralNode(p.initializer),
      );
    default:
      return false;
  }
}

/** Is `source` exactly one literal value? */
export function isLiteral(source: string): boolean {
  const sf = ts.createSourceFile("value.ts", `(${source});`, ts.ScriptTarget.ES2022, true);
  const diagnostics = (sf as unknown as { parseDiagnostics: readonly ts.Diagnostic[] }).parseDiagnostics;
  if (diagnostics.length > 0 || sf.statements.length !== 1) return false;
  const st = sf.statements[0] as ts.Statement;
  if (!ts.isExpressionStatement(st) || !ts.isParenthesizedExpression(st.expression)) return false;
  return isLiteralNode(st.expression.expression);
}

/** Reads a trailing comment (without its `//`). */
export function valueComment(comment: string): ValueComment {
  const text = comment.trim();
  if (!VALUE_START.test(text)) return { kind: "prose" };
  const cuts = [text.length];
  for (let i = text.length - 1; i > 0; i--) if (/[\s:,;(]/.test(text[i] as string)) cuts.push(i);
  for (const cut of cuts) {
    const source = text.slice(0, cut).trimEnd();
    if (source === "" || !isLiteral(source)) continue;
    const after = text.slice(source.length);
    if (/^,\d/.test(after))
      return { kind: "bad", why: `"${text}": write the number without digit groups (2048 or 2_048), or as prose` };
    const rest = after.trimStart();
    if (rest !== "" && /^[-+*/%&|^<>=?.!~`'"[\]{}]/.test(rest))
      return { kind: "bad", why: `"${text}": the value is followed by "${rest}", so it is not a literal` };
    return { kind: "value", source };
  }
  return { kind: "bad", why: `"${text}" starts like a value but no prefix of it is a literal` };
}

/** How a value shows in a mismatch message. */
function show(v: unknown): string {
  return inspect(v, { depth: 6, breakLength: Number.POSITIVE_INFINITY });
}

/** What kind of thing `v` is, for messages: "an Array", "a Float64Array", "a string"... */
function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (typeof v !== "object") return `a ${typeof v}`;
  const name = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return name ? `a ${name}` : "an object without prototype";
}

/**
 * Where `actual` differs from the literal `expected` (see the module's
 * description), or null when it does not: `"[2]: expected 3, got 4"`.
 */
export function mismatch(actual: unknown, expected: unknown, path = ""): string | null {
  const at = path === "" ? "" : `${path}: `;
  if (expected === null || typeof expected !== "object")
    return Object.is(actual, expected) ? null : `${at}expected ${show(expected)}, got ${show(actual)}`;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${at}expected an Array, got ${kindOf(actual)} ${show(actual)}`;
    if (actual.length !== expected.length)
      return `${at}expected ${expected.length} elements, got ${actual.length}: ${show(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const m = mismatch(actual[i], expected[i], `${path}[${i}]`);
      if (m !== null) return m;
    }
    return null;
  }
  if (actual === null || typeof actual !== "object" || Array.isArray(actual))
    return `${at}expected a plain object, got ${kindOf(actual)} ${show(actual)}`;
  const proto = Object.getPrototypeOf(actual);
  if (proto !== Object.prototype && proto !== null)
    return `${at}expected a plain object, got ${kindOf(actual)} ${show(actual)}`;
  const want = Object.keys(expected);
  const got = Object.keys(actual);
  const missing = want.filter((k) => !Object.hasOwn(actual, k));
  const extra = got.filter((k) => !Object.hasOwn(expected, k));
  if (missing.length > 0 || extra.length > 0)
    return `${at}keys differ (missing: ${missing.join(", ") || "none"}; extra: ${extra.join(", ") || "none"}): ${show(actual)}`;
  for (const k of want) {
    const m = mismatch(
      (actual as Record<string, unknown>)[k],
      (expected as Record<string, unknown>)[k],
      `${path}.${k}`,
    );
    if (m !== null) return m;
  }
  return null;
}

/** What `console.log(...args)` prints (one line, without its newline), as in a file: no colours. */
export function printed(args: readonly unknown[]): string {
  return formatWithOptions({ colors: false }, ...args);
}

/** An edit of the instrumented text: [start, end) becomes `wrap` of its inner range, itself edited. */
interface Edit {
  readonly start: number;
  readonly end: number;
  readonly innerStart: number;
  readonly innerEnd: number;
  readonly wrap: (inner: string) => string;
}

/** What {@link instrument} made of a block. */
export interface Instrumented {
  /** The code with `__expect(actual, expected, label)` and `__print(label, text, ...args)` calls. */
  readonly code: string;
  /** How many values and printed lines it asserts. */
  readonly assertions: number;
  /** Comments that look like results but cannot be checked, as `file:line: why`. */
  readonly problems: readonly string[];
}

const ASSIGNMENTS = new Set([
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.PlusEqualsToken,
  ts.SyntaxKind.MinusEqualsToken,
  ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.SlashEqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.AmpersandAmpersandEqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
]);

/**
 * Turns the block's value and output comments into assertions (see the
 * module's description). `file` and `firstLine` (the file's line of the
 * block's first line) name each assertion.
 */
export function instrument(
  code: string,
  language: "ts" | "tsx" | "js" | "jsx",
  file: string,
  firstLine: number,
): Instrumented {
  const kind = { ts: ts.ScriptKind.TS, tsx: ts.ScriptKind.TSX, js: ts.ScriptKind.JS, jsx: ts.ScriptKind.JSX }[language];
  const sf = ts.createSourceFile(`block.${language}`, code, ts.ScriptTarget.ES2022, true, kind);
  const edits: Edit[] = [];
  const problems: string[] = [];
  const label = (node: ts.Node) => {
    const { line } = sf.getLineAndCharacterOfPosition(node.end);
    return `${file}:${firstLine + line}: ${(code.split("\n")[line] as string).trim()}`;
  };
  const visit = (node: ts.Node): void => {
    // The body of a `for`, `if` or `while` without braces: a comment there is about the whole statement (prose).
    const own = (n: ts.Node) =>
      ts.isBlock(n) || ts.isSourceFile(n) || ts.isCaseClause(n) || ts.isDefaultClause(n) || ts.isModuleBlock(n);
    if (ts.isExpressionStatement(node) && own(node.parent)) {
      const comment = (ts.getTrailingCommentRanges(code, node.end) ?? []).find(
        (c) => c.kind === ts.SyntaxKind.SingleLineCommentTrivia,
      );
      const text = comment === undefined ? undefined : code.slice(comment.pos + 2, comment.end).trim();
      const e = node.expression;
      const start = node.getStart(sf);
      if (
        text !== undefined &&
        ts.isCallExpression(e) &&
        ts.isPropertyAccessExpression(e.expression) &&
        ts.isIdentifier(e.expression.expression) &&
        e.expression.expression.text === "console" &&
        e.expression.name.text === "log"
      ) {
        const where = JSON.stringify(label(node));
        const args = e.arguments;
        const first = args[0];
        const last = args[args.length - 1];
        if (first === undefined || last === undefined)
          edits.push({
            start,
            end: node.end,
            innerStart: start,
            innerEnd: start,
            wrap: () => `__print(${where}, ${JSON.stringify(text)});`,
          });
        else
          edits.push({
            start,
            end: node.end,
            innerStart: first.getStart(sf),
            innerEnd: last.end,
            wrap: (inner) => `__print(${where}, ${JSON.stringify(text)}, ${inner});`,
          });
      } else if (text !== undefined) {
        const value = valueComment(text);
        if (value.kind === "bad") problems.push(`${label(node)}\n  ${value.why}`);
        else if (value.kind === "value") {
          if (ts.isBinaryExpression(e) && ASSIGNMENTS.has(e.operatorToken.kind))
            problems.push(
              `${label(node)}\n  a value comment on an assignment: say what it means in words, or compare the value on a line of its own`,
            );
          else {
            const where = JSON.stringify(label(node));
            edits.push({
              start,
              end: node.end,
              innerStart: e.getStart(sf),
              innerEnd: e.end,
              wrap: (inner) => `__expect((${inner}), (${value.source}), ${where});`,
            });
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  edits.sort((a, b) => a.start - b.start || b.end - a.end);
  const render = (from: number, to: number, list: readonly Edit[]): string => {
    let out = "";
    let at = from;
    for (let i = 0; i < list.length; ) {
      const e = list[i] as Edit;
      let j = i + 1;
      while (j < list.length && (list[j] as Edit).start < e.end) j++;
      const inner = list.slice(i + 1, j).filter((x) => x.start >= e.innerStart && x.end <= e.innerEnd);
      out += code.slice(at, e.start) + e.wrap(render(e.innerStart, e.innerEnd, inner));
      at = e.end;
      i = j;
    }
    return out + code.slice(at, to);
  };
  return { code: render(0, code.length, edits), assertions: edits.length, problems };
}
