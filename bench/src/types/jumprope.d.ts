/**
 * Types for jumprope 1.x (Joseph Gentle's skip-list rope; the package ships
 * none). Positions and lengths are in UTF-16 code units. The module is
 * CommonJS (`module.exports = Rope`), imported as the default export.
 */
declare module "jumprope" {
  export default class JumpRope {
    constructor(initial?: string);
    /** Length in UTF-16 code units. */
    readonly length: number;
    /** Inserts `text` at `position` (0..length); throws outside that range. */
    insert(position: number, text: string): void;
    /** Deletes `count` characters at `position`; `getDeleted` receives them. */
    del(position: number, count: number, getDeleted?: (deleted: string) => void): void;
    substring(offset: number, length: number): string;
    forEach(fn: (chunk: string) => void): void;
    toString(): string;
  }
}
