/**
 * Training curves as PNG without a browser: vega-lite spec -> vega view (headless) -> SVG ->
 * @resvg/resvg-js -> PNG (about 200 ms per chart; no browser or canvas build needed).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface PlotOptions {
  /** Metrics to draw (default: every numeric key except step and wall_time, in first-seen order). */
  metrics?: string[];
  title?: string;
  /** `panels`: one small chart per metric with its own y scale (default); `overlay`: one chart, a line per metric. */
  layout?: 'panels' | 'overlay';
  /** Panels per row in `panels` layout (default 2). */
  columns?: number;
  /** Size of one panel (or of the overlay chart) in SVG pixels. */
  panelWidth?: number;
  panelHeight?: number;
  /** Final PNG width in pixels; the height follows the aspect ratio. Default: SVG size × scale. */
  width?: number;
  /** Pixel density when `width` is not given (default 2). */
  scale?: number;
  /** The x field (default `step`). */
  x?: string;
  /**
   * TensorBoard-style smoothing weight in [0, 1): each panel draws the raw values faintly and
   * their debiased exponential moving average on top (default 0: raw values only). Per-step RL
   * rewards are noisy enough that a trend only shows smoothed.
   */
  smooth?: number;
}

/** Debiased exponential moving average (what TensorBoard's smoothing slider draws). */
export function smoothed(values: readonly number[], weight: number): number[] {
  if (!(weight >= 0 && weight < 1)) throw new Error(`smooth: expected a weight in [0, 1), got ${weight}`);
  let ema = 0;
  return values.map((v, i) => { ema = weight * ema + (1 - weight) * v; return ema / (1 - weight ** (i + 1)); });
}

/** A rendered chart. */
export interface Plot {
  png: Uint8Array;
  svg: string;
  width: number;
  height: number;
}

/** Reads JSONL rows (e.g. metrics.jsonl); a bad line is an error naming file and line. */
export function readJsonlRows(path: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch (e) {
      throw new Error(`${path}:${i + 1}: not valid JSON (${(e as Error).message})`);
    }
  });
  return out;
}

function metricNames(rows: Array<Record<string, unknown>>, x: string): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const [k, v] of Object.entries(r)) if (k !== x && k !== 'wall_time' && typeof v === 'number') seen.add(k);
  return [...seen];
}

/** The vega-lite spec for the curves (exported so callers can tweak or embed it). */
export function curvesSpec(rows: Array<Record<string, unknown>>, opts: PlotOptions = {}): TopLevelSpec {
  const x = opts.x ?? 'step';
  const metrics = opts.metrics ?? metricNames(rows, x);
  if (metrics.length === 0) throw new Error('plotCurves: no numeric metrics to plot');
  const values: Array<{ x: number; metric: string; value: number }> = [];
  for (const r of rows) {
    const xv = r[x];
    if (typeof xv !== 'number') continue;
    for (const m of metrics) {
      const v = r[m];
      if (typeof v === 'number' && Number.isFinite(v)) values.push({ x: xv, metric: m, value: v });
    }
  }
  if (values.length === 0) throw new Error(`plotCurves: none of [${metrics.join(', ')}] has a finite value at a numeric "${x}"`);
  const smooth = opts.smooth ?? 0;
  if (smooth > 0) {
    for (const m of metrics) {
      const pts = values.filter((v) => v.metric === m).sort((a, b) => a.x - b.x);
      smoothed(pts.map((p) => p.value), smooth).forEach((s, i) => { (pts[i] as { smoothed?: number }).smoothed = s; });
    }
  }
  const width = opts.panelWidth ?? 320;
  const height = opts.panelHeight ?? 180;
  const xEnc = { field: 'x', type: 'quantitative' as const, title: x };
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    data: { values },
    ...(opts.title ? { title: opts.title } : {}),
    config: { font: 'DejaVu Sans', view: { stroke: '#ccc' } },
  };
  if ((opts.layout ?? 'panels') === 'overlay') {
    return {
      ...base, width, height,
      mark: { type: 'line', point: values.length <= 60 },
      encoding: { x: xEnc, y: { field: 'value', type: 'quantitative', title: null }, color: { field: 'metric', type: 'nominal', sort: metrics } },
    } as TopLevelSpec;
  }
  return {
    ...base,
    facet: { field: 'metric', type: 'nominal', title: null, sort: metrics },
    columns: Math.min(opts.columns ?? 2, metrics.length),
    resolve: { scale: { y: 'independent', x: 'shared' } },
    spec: smooth > 0 ? {
      width, height,
      layer: [
        { mark: { type: 'line', opacity: 0.3 }, encoding: { x: xEnc, y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } } } },
        { mark: { type: 'line', strokeWidth: 2 }, encoding: { x: xEnc, y: { field: 'smoothed', type: 'quantitative', title: null } } },
      ],
    } : {
      width, height,
      mark: { type: 'line', point: values.length <= 60 * metrics.length },
      encoding: { x: xEnc, y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } } },
    },
  } as TopLevelSpec;
}

/** Renders a vega-lite spec to SVG only (for pages that inline it, e.g. report.html). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders a vega-lite spec to SVG and PNG. */
export async function renderSpec(spec: TopLevelSpec, opts: Pick<PlotOptions, 'width' | 'scale'> = {}): Promise<Plot> {
  const svg = await renderSvg(spec);
  const fitTo = opts.width ? { mode: 'width' as const, value: opts.width } : { mode: 'zoom' as const, value: opts.scale ?? 2 };
  // System fonts give real glyphs; without any the text is simply not drawn, the lines still are.
  const img = new Resvg(svg, { fitTo, background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render();
  return { png: new Uint8Array(img.asPng()), svg, width: img.width, height: img.height };
}

/**
 * Draws several metrics against step from rows such as metrics.jsonl lines.
 * @example await plotCurves(readJsonlRows('run/metrics.jsonl'), { metrics: ['reward/overall', 'loss/pg'] })
 */
export async function plotCurves(rows: Array<Record<string, unknown>>, opts: PlotOptions = {}): Promise<Plot> {
  return renderSpec(curvesSpec(rows, opts), opts);
}

/** plotCurves written to `pngPath` (folders created). Returns the plot. */
export async function writeCurvesPng(pngPath: string, rows: Array<Record<string, unknown>>, opts: PlotOptions = {}): Promise<Plot> {
  const plot = await plotCurves(rows, opts);
  mkdirSync(dirname(pngPath), { recursive: true });
  writeFileSync(pngPath, plot.png);
  return plot;
}
