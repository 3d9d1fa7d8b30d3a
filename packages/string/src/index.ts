/**
 * @pagefork/string: a copy-on-write text buffer with O(1) fork.
 *
 * @packageDocumentation
 */
export { CowText } from "./cow-text.js";
export { TEXT_MAX_PAGES, TEXT_NEVER_BYTES } from "./layout.js";
export { type CowTextOptions, TEXT_PAGE_SIZE } from "./options.js";
export { type SharedTextHandle, TEXT_HANDLE_FORMAT } from "./shared.js";
export { adoptText, type TextState, textStateOf } from "./standalone-text.js";
