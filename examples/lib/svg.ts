/**
 * Tiny dependency-free SVG charts for the examples: `scatterSvg` (points, one colour per series)
 * and `lineSvg` (curves, e.g. training loss per step). Both return a complete SVG document as a
 * string, with axes, "nice" tick labels, a title and a legend; write it with `Deno.writeTextFile`.
 *
 * ```ts
 * const svg = lineSvg({
 *   title: "training loss",
 *   xLabel: "step",
 *   series: [{ name: "train", points: [[1, 2.3], [2, 1.1], [3, 0.7]] }],
 * });
 * await Deno.writeTextFile("loss.svg", svg);
 * ```
 *
 * @module
 */

/** A named set of (x, y) points; `color` is any CSS colour (default: from a fixed palette). */
export interface Series {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
  color?: string;
}

/** Options of `scatterSvg` and `lineSvg`. */
export interface ChartOptions {
  series: readonly Series[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Pixel size of the whole image (default 640 x 420). */
  width?: number;
  height?: number;
  /** Fixed axis ranges; by default each axis spans the data (non-finite values are skipped). */
  xRange?: readonly [number, number];
  yRange?: readonly [number, number];
}

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];
const M = { left: 60, right: 20, top: 36, bottom: 46 };

/** Escapes text for SVG. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** About `count` round tick values (1, 2 or 5 times a power of ten) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(Math.abs(t) < step * 1e-9 ? 0 : Number(t.toPrecision(12)));
  }
  return ticks;
}

function extent(
  series: readonly Series[],
  axis: 0 | 1,
  fixed?: readonly [number, number],
): [number, number] {
  if (fixed) return [fixed[0], fixed[1]];
  let lo = Infinity, hi = -Infinity;
  for (const s of series) {
    for (const p of s.points) {
      if (Number.isFinite(p[axis])) [lo, hi] = [Math.min(lo, p[axis]), Math.max(hi, p[axis])];
    }
  }
  if (lo > hi) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.04;
  return [lo - pad, hi + pad];
}

function chart(opts: ChartOptions, draw: (s: Series, color: string, px: Px) => string): string {
  const W = opts.width ?? 640, H = opts.height ?? 420;
  const [x0, x1] = extent(opts.series, 0, opts.xRange);
  const [y0, y1] = extent(opts.series, 1, opts.yRange);
  const px: Px = {
    x: (v) => M.left + ((v - x0) / (x1 - x0)) * (W - M.left - M.right),
    y: (v) => H - M.bottom - ((v - y0) / (y1 - y0)) * (H - M.top - M.bottom),
  };
  const f = (v: number) => v.toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
    `font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  for (const t of niceTicks(x0, x1)) {
    out.push(
      `<line x1="${f(px.x(t))}" y1="${M.top}" x2="${f(px.x(t))}" y2="${
        H - M.bottom
      }" stroke="#eee"/>`,
      `<text x="${f(px.x(t))}" y="${H - M.bottom + 16}" text-anchor="middle">${t}</text>`,
    );
  }
  for (const t of niceTicks(y0, y1)) {
    out.push(
      `<line x1="${M.left}" y1="${f(px.y(t))}" x2="${W - M.right}" y2="${
        f(px.y(t))
      }" stroke="#eee"/>`,
      `<text x="${M.left - 6}" y="${f(px.y(t) + 4)}" text-anchor="end">${t}</text>`,
    );
  }
  out.push(
    `<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" ` +
      `height="${H - M.top - M.bottom}" fill="none" stroke="#333"/>`,
  );
  if (opts.title) {
    out.push(
      `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${
        escapeXml(opts.title)
      }</text>`,
    );
  }
  if (opts.xLabel) {
    out.push(
      `<text x="${(M.left + W - M.right) / 2}" y="${H - 8}" text-anchor="middle">${
        escapeXml(opts.xLabel)
      }</text>`,
    );
  }
  if (opts.yLabel) {
    const cy = (M.top + H - M.bottom) / 2;
    out.push(
      `<text x="14" y="${cy}" text-anchor="middle" transform="rotate(-90 14 ${cy})">${
        escapeXml(opts.yLabel)
      }</text>`,
    );
  }
  opts.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    out.push(draw(s, color, px));
    const ly = M.top + 14 + 16 * i;
    out.push(
      `<rect x="${W - M.right - 120}" y="${ly - 9}" width="10" height="10" fill="${color}"/>`,
      `<text x="${W - M.right - 105}" y="${ly}">${escapeXml(s.name)}</text>`,
    );
  });
  out.push("</svg>\n");
  return out.join("\n");
}

interface Px {
  x(v: number): number;
  y(v: number): number;
}

const finite = (p: readonly [number, number]) => Number.isFinite(p[0]) && Number.isFinite(p[1]);

/** Points from the row-major data of an `[n, 2]` tensor: `pointsOf(await x.data())`. */
export function pointsOf(flat: ArrayLike<number>): [number, number][] {
  return Array.from(
    { length: Math.floor(flat.length / 2) },
    (_, i) => [flat[2 * i], flat[2 * i + 1]],
  );
}

/** A scatter plot: one small circle per point, one colour per series. */
export function scatterSvg(opts: ChartOptions): string {
  return chart(opts, (s, color, px) =>
    `<g fill="${color}" fill-opacity="0.6">` +
    s.points.filter(finite).map((p) =>
      `<circle cx="${px.x(p[0]).toFixed(1)}" cy="${px.y(p[1]).toFixed(1)}" r="2.5"/>`
    ).join("") + "</g>");
}

/**
 * A line chart: each series drawn as a polyline through its points in the given order; series of
 * few points (up to 50) also mark each point, so a one-point series is still visible.
 */
export function lineSvg(opts: ChartOptions): string {
  return chart(opts, (s, color, px) => {
    const pts = s.points.filter(finite).map((p) => [px.x(p[0]), px.y(p[1])]);
    const line = `<polyline fill="none" stroke="${color}" stroke-width="2" points="${
      pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ")
    }"/>`;
    const marks = pts.length <= 50
      ? pts.map(([x, y]) =>
        `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${color}"/>`
      )
        .join("")
      : "";
    return line + marks;
  });
}
