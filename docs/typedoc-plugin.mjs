// @ts-check
/**
 * TypeDoc plugin: names each package's module by its import specifier.
 * TypeDoc names an entry point by its path ("core/src", "state/src/zustand");
 * users import "@pagefork/core" and "@pagefork/state/zustand", so the
 * reference uses those names (and `{@link @pagefork/core!ReleasedError}`
 * resolves across packages).
 */
import { Converter, ReflectionKind } from "typedoc";

/** "core/src" -> "@pagefork/core"; "state/src/zustand" -> "@pagefork/state/zustand". */
const specifier = (name) => {
  const m = /^([\w-]+)\/src(?:\/([\w-]+))?$/.exec(name);
  return m === null ? name : `@pagefork/${m[1]}${m[2] === undefined ? "" : `/${m[2]}`}`;
};

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.converter.on(
    Converter.EVENT_RESOLVE_BEGIN,
    (context) => {
      for (const mod of context.project.children ?? []) {
        if (mod.kindOf(ReflectionKind.Module)) mod.name = specifier(mod.name);
      }
    },
    // Before link resolution, which looks modules up by name.
    200,
  );
}
