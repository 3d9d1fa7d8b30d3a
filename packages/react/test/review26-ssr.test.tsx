// @vitest-environment node
/**
 * Review 26: useStore renders on a server (no document): the store's current
 * version, no warning (React 18 warns about a useLayoutEffect there), and no
 * pin is taken (no effect runs), so releasing the store returns every frame.
 */

import { createRequire } from "node:module";
import { FramePool } from "@pagefork/core";
import { useStore } from "@pagefork/react";
import { createStore, t } from "@pagefork/state";
import { type ReactElement, version } from "react";
import { expect, it, vi } from "vitest";

// vitest.config.ts points react18's "react" and "react-dom" at test/react18 but not
// "react-dom/server": take it from test/react18 for React 18 (and, as the package has no
// @types/react-dom, typed here).
const from = version.startsWith("18.") ? "../../../test/react18/package.json" : "../package.json";
const { renderToString } = createRequire(new URL(from, import.meta.url))("react-dom/server") as {
  renderToString(element: ReactElement): string;
};

it("renders on the server without warnings and keeps no frame", () => {
  const pool = new FramePool({ pageSize: 256 });
  const store = createStore(t.struct({ todos: t.list(t.string) }), { todos: ["a", "b"] }, { pool });
  function List() {
    const todos = useStore(store, (r) => r.todos);
    return <p>{todos.join(",")}</p>;
  }
  const error = vi.spyOn(console, "error").mockImplementation(() => {});
  try {
    expect(renderToString(<List />)).toBe("<p>a,b</p>");
    expect(error).not.toHaveBeenCalled();
  } finally {
    error.mockRestore();
  }
  store.release();
  expect(pool.framesInUse).toBe(0);
});
