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
import { version } from "react";
import { renderToString as render19 } from "react-dom/server";
import { expect, it, vi } from "vitest";

// vitest.config.ts points react18's "react" and "react-dom" at test/react18 but not
// "react-dom/server": take that one from test/react18 here.
const renderToString: typeof render19 = version.startsWith("18.")
  ? createRequire(new URL("../../../test/react18/package.json", import.meta.url))("react-dom/server").renderToString
  : render19;

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
