/**
 * Review 31: the zustand middleware composes with an outer `devtools` as
 * zustand's own `immer` middleware does. Both replace `api.setState` (an
 * outer middleware's wrapper of it is what they get as `set`); immer's
 * passes its extra arguments on (`setState(x, false, "name")`: devtools'
 * action name), pagefork's dropped them, so devtools logged every
 * `setState(..., "name")` and every action's `set(recipe, label)` as
 * "anonymous" (or a caller's name guessed from a stack).
 */
import { t } from "@pagefork/state";
import { pagefork } from "@pagefork/state/zustand";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { create } from "zustand";
import { devtools, persist } from "zustand/middleware";
import { immer } from "zustand/middleware/immer";

const App = t.struct({ count: t.u32 });

/** A fake Redux DevTools extension: what devtools sends, as action types. */
function fakeDevtools() {
  const sent: string[] = [];
  const connection = {
    init: () => {},
    send: (action: { type: string }) => void sent.push(action.type),
    subscribe: () => () => {},
    unsubscribe: () => {},
    error: () => {},
  };
  return { sent, extension: { connect: () => connection } };
}

const g = globalThis as { window?: unknown };
let dev: ReturnType<typeof fakeDevtools>;
beforeEach(() => {
  dev = fakeDevtools();
  g.window = { __REDUX_DEVTOOLS_EXTENSION__: dev.extension };
});
afterEach(() => {
  delete g.window;
});

describe("review 31: pagefork under devtools names its actions as immer's middleware does", () => {
  it("immer (the reference): setState(x, false, name) reaches devtools as name", () => {
    const useStore = create<{ count: number; inc: () => void }>()(
      devtools(
        immer((set) => ({
          count: 0,
          inc: () =>
            set(
              (d) => {
                d.count++;
              },
              false,
              "inc",
            ),
        })),
        { name: "immer" },
      ),
    );
    useStore.setState({ count: 5 }, false, "five");
    useStore.getState().inc();
    expect(dev.sent).toEqual(["five", "inc"]);
    expect(useStore.getState().count).toBe(6);
  });

  it("pagefork: setState(x, false, name), set(recipe, label), undo and redo reach devtools by name", () => {
    const useStore = create(
      devtools(
        pagefork(App, (set) => ({
          count: 0,
          inc: () =>
            set((d) => {
              d.count++;
            }, "inc"),
        })),
        { name: "pagefork" },
      ),
    );
    useStore.setState({ count: 5 }, false, "five");
    useStore.setState({ count: 7 }, false, { type: "seven" });
    useStore.getState().inc();
    expect(useStore.getState().count).toBe(8);
    useStore.getState().undo();
    useStore.getState().redo();
    expect(dev.sent).toEqual(["five", "seven", "inc", "undo", "redo"]);
    expect(useStore.getState().count).toBe(8);
    // the store's undo labels are the action names
    expect(useStore.getState().$store.versions.map((v) => v.label)).toEqual([undefined, "five", "seven", "inc"]);
    useStore.getState().$store.release();
  });

  it("pagefork under persist under devtools: saved, and named", () => {
    const saved = new Map<string, string>();
    const storage = {
      getItem: (k: string) => saved.get(k) ?? null,
      setItem: (k: string, v: string) => void saved.set(k, v),
      removeItem: (k: string) => void saved.delete(k),
    };
    const useStore = create(
      devtools(
        persist(
          pagefork(App, () => ({ count: 0 })),
          { name: "p31", storage: { ...storage, getItem: () => null } as never },
        ),
        { name: "both" },
      ),
    );
    useStore.setState({ count: 3 }, false, "three");
    expect(useStore.getState().count).toBe(3);
    expect(dev.sent).toContain("three");
    useStore.getState().$store.release();
  });
});
