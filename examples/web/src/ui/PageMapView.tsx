import { useEffect, useRef } from "react";
import { PAGE_PRIVATE, type PageMap } from "../trace/page-map.js";
import { formatBytes, formatCount } from "./format.js";

/** Pixels per page cell, gap included. */
const CELL = 7;
/** Cells per row of the map. */
const COLUMNS = 64;

/** Colour and legend of each page class, indexed by `PageClass`. */
const CLASSES: readonly { readonly colour: string; readonly label: string }[] = [
  { colour: "#c3ccd6", label: "shared with the previous and the next version" },
  { colour: "#4c8fe8", label: "shared with the previous version; the next edit copies it" },
  { colour: "#f5a623", label: "copied by this edit, shared with the next version" },
  { colour: "#e5484d", label: "copied by this edit and by the next: private to this version" },
];

/** The class colours as `ImageData` pixels (RGBA bytes in memory order, read as one 32-bit word). */
const PIXELS = Uint32Array.from(CLASSES, ({ colour }) => {
  const rgba = new Uint8Array([1, 3, 5].map((i) => Number.parseInt(colour.slice(i, i + 2), 16)).concat(255));
  return new Uint32Array(rgba.buffer)[0] as number;
});

/**
 * The selected version's pages, one cell each in address order, coloured by
 * what they share with the neighbouring versions (see `page-map.ts`).
 */
export function PageMapView({ map, pageSize, uss }: { map: PageMap; pageSize: number; uss: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const surface = useRef<{ image: ImageData; pixels: Uint32Array } | null>(null);
  const rows = Math.max(1, Math.ceil(map.addresses.length / COLUMNS));

  useEffect(() => {
    const ctx = canvas.current?.getContext("2d");
    if (!ctx) return;
    // One putImageData of a pixel buffer: a fillRect per page cost ~10x more
    // (a software-rendered canvas rasterises each call).
    const width = COLUMNS * CELL;
    let buffer = surface.current;
    if (buffer === null || buffer.image.height !== rows * CELL) {
      const image = ctx.createImageData(width, rows * CELL);
      buffer = { image, pixels: new Uint32Array(image.data.buffer) };
      surface.current = buffer;
    }
    const { image, pixels } = buffer;
    // Every cell is redrawn; only the last row may hold cells of a longer map
    // before (gaps between cells are never written and stay transparent).
    pixels.fill(0, (rows - 1) * CELL * width);
    const n = map.classes.length;
    for (let k = 0; k < n; k++) {
      const colour = PIXELS[map.classes[k] as number] as number;
      const corner = Math.floor(k / COLUMNS) * CELL * width + (k % COLUMNS) * CELL;
      for (let y = 0; y < CELL - 1; y++) {
        const row = corner + y * width;
        for (let x = 0; x < CELL - 1; x++) pixels[row + x] = colour;
      }
    }
    ctx.putImageData(image, 0, 0);
  }, [map, rows]);

  const first = map.addresses[0];
  const last = map.addresses[map.addresses.length - 1];
  return (
    <figure className="page-map">
      <canvas
        ref={canvas}
        width={COLUMNS * CELL}
        height={rows * CELL}
        data-testid="page-map"
        data-pages={map.addresses.length}
        data-private={map.counts[PAGE_PRIVATE]}
        aria-label={`page map: ${map.addresses.length} pages`}
      />
      <figcaption>
        <ul className="legend">
          {CLASSES.map((cls, c) => (
            <li key={cls.label}>
              <span className="swatch" style={{ background: cls.colour }} />
              <span className="num">{formatCount(map.counts[c as 0 | 1 | 2 | 3])}</span> {cls.label}
            </li>
          ))}
        </ul>
        <p className="muted">
          {formatCount(map.addresses.length)} pages of {pageSize} B in address order
          {first !== undefined && last !== undefined && ` (0x${first.toString(16)} … 0x${last.toString(16)})`}. Private
          pages × page size = {formatBytes(map.counts[PAGE_PRIVATE] * pageSize)}; USS from stats() = {formatBytes(uss)}.
        </p>
      </figcaption>
    </figure>
  );
}
