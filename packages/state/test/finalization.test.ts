/**
 * Versions dropped without `release()` are collected and their frames return
 * to the pool through the core's FinalizationRegistry: nothing of the state
 * layer (the lineage's list of live versions, the view cache) keeps them.
 */
import { produce, type State } from "@pagefork/state";
import { expect, it } from "vitest";
import { collectUntil } from "../../../test/support/collect.js";
import { type App, appState, pool } from "./support.js";

/** Makes versions after `s0`, reads a view of each, and drops them all (`s0` stays). */
function dropVersions(s0: State<typeof App>, n: number): void {
  let s = s0;
  for (let i = 0; i < n; i++) {
    s = produce(s, (d) => {
      d.todos[i % 10]!.title = `title ${i}`;
      d.doc.insert(0, "x");
    });
    void s.root.todos[i % 10]!.title;
  }
}

it("versions dropped while another version of the state lives are collected and their frames reclaimed", async () => {
  const p = pool();
  const s0 = appState(10, p);
  const base = p.framesInUse;
  dropVersions(s0, 50);
  expect(p.framesInUse).toBeGreaterThan(base);
  await collectUntil(() => p.framesInUse <= base);
  expect(p.framesInUse).toBe(base);
  expect(s0.root.todos[0]!.title).toBe("todo 0");
  s0.release();
  expect(p.framesInUse).toBe(0);
});
