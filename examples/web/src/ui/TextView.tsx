import { useLayoutEffect, useRef } from "react";
import type { TextWindow } from "../trace/text-window.js";
import { formatCount } from "./format.js";

/**
 * The window of the selected version around its edit: the inserted text is
 * highlighted, the deleted text (from the previous version) is shown struck
 * through in a `<del>` that is not part of the version's text.
 */
export function TextView({ view }: { view: TextWindow }) {
  const pre = useRef<HTMLPreElement>(null);
  const edit = useRef<HTMLElement>(null);
  // Scroll the view (and only the view, not the page) so the edit sits in its middle.
  useLayoutEffect(() => {
    const box = pre.current;
    const at = edit.current;
    if (box === null) return;
    box.scrollTop = at === null ? 0 : Math.max(0, at.offsetTop - box.clientHeight / 2);
  });
  return (
    <figure className="text-figure">
      <figcaption className="muted">
        characters {formatCount(view.start)}–{formatCount(view.end)} of {formatCount(view.length)}
        {view.start > 0 || view.end < view.length ? " (a window around the edit)" : ""}
      </figcaption>
      <pre
        ref={pre}
        className="text-view"
        data-testid="text-view"
        data-version={view.version}
        data-start={view.start}
        data-end={view.end}
        data-length={view.length}
      >
        {view.start > 0 && <span className="ellipsis" aria-hidden="true" />}
        {view.before}
        <span ref={edit} className="edit-anchor" />
        {view.deletedCount > 0 && (
          <del title={`deleted ${view.deletedCount} characters`} data-deleted-count={view.deletedCount}>
            {view.deleted}
          </del>
        )}
        {view.inserted.length > 0 && <mark>{view.inserted}</mark>}
        {view.inserted.length === 0 && view.deletedCount === 0 && view.version > 0 && <span className="caret" />}
        {view.after}
        {view.end < view.length && <span className="ellipsis" aria-hidden="true" />}
      </pre>
    </figure>
  );
}
