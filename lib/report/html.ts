/**
 * report.html: one self-contained page for a run or pipeline folder (`vsr1 report DIR`):
 * training curves as inline SVG (vega-lite), the evaluation tables, and a gallery of logged
 * samples with filters (all / right answer from a wrong description / wrong answer / right
 * description; the filter is also read from the URL, `report.html#filter=shortcut`). Nothing is
 * fetched: images are data: URIs, CSS and the one script are inline, and a Content-Security-Policy
 * allows only that script (by hash), so text that slipped through escaping could not run either.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cardHtml, categories, escapeHtml, type GallerySample, gallerySample, ImageInliner, type ResponseParser, type SampleCategory, spreadIndices } from './gallery.js';
import { curvesSpec, renderSvg } from './plot.js';
import { loadReportData, type ReportData, type ReportTable, type Rows, type RunData } from './run_data.js';
import { type Cell, formatNumber } from './table.js';

export interface ReportOptions {
  /** Output file (default `<dir>/report.html`). */
  out?: string;
  /** Gallery cap (default 200); more logged samples are thinned evenly over the run. */
  maxSamples?: number;
  /** Curves to draw (default: a set per run kind, those the run has). */
  metrics?: string[];
  /** Evaluation result files (`vsr1 eval --out`) to add as tables; `eval*.json` in the folder are added anyway. */
  evalFiles?: string[];
  /** Parses responses of runs that did not record their parts (see lib/train/grpo/sample_log.ts). */
  parse?: ResponseParser;
}

export interface ReportResult {
  path: string;
  /** Cards in the gallery, and logged samples found. */
  samples: number;
  totalSamples: number;
  shortcutSamples: number;
  plots: number;
  tables: number;
  bytes: number;
}

const GRPO_CURVES = ['reward/overall', 'reward/accuracy', 'reward/format', 'reward/description_accuracy', 'samples/shortcut_share',
  'val/accuracy', 'val/description_accuracy', 'val/language_shortcut_rate', 'actor/kl_loss', 'response_length/mean'];
const SFT_CURVES = ['loss', 'grad_norm', 'val/accuracy', 'val/format'];

/** Share of a step's logged training samples that got the answer right from a wrong description. */
function shortcutShareRows(samples: readonly GallerySample[]): Rows {
  const by = new Map<number, { n: number; k: number }>();
  for (const s of samples) {
    if (s.step === null || s.split !== 'train' || s.rewards.accuracy === undefined || s.rewards.description_accuracy === undefined) continue;
    const c = by.get(s.step) ?? { n: 0, k: 0 };
    c.n++;
    if (categories(s).has('shortcut')) c.k++;
    by.set(s.step, c);
  }
  return [...by].sort((a, b) => a[0] - b[0]).map(([step, c]) => ({ step, 'samples/shortcut_share': c.k / c.n }));
}

async function curvesSvg(run: RunData, samples: readonly GallerySample[], wanted?: string[]): Promise<string | null> {
  const rows = [...run.metrics, ...shortcutShareRows(samples)];
  const present = (m: string) => rows.some((r) => typeof r[m] === 'number' && Number.isFinite(r[m] as number) && typeof r.step === 'number');
  const metrics = (wanted ?? (run.kind === 'grpo' ? GRPO_CURVES : SFT_CURVES)).filter(present);
  if (!metrics.length) return null;
  return renderSvg(curvesSpec(rows, { metrics, columns: 3, panelWidth: 250, panelHeight: 140 }));
}

function tableHtml(t: ReportTable): string {
  const cell = (c: Cell) => (c === null || c === undefined ? '-' : typeof c === 'number' ? formatNumber(c) : c);
  const head = t.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = t.rows.map((r) => `<tr>${t.headers.map((_, j) => `<td>${escapeHtml(cell(r[j]))}</td>`).join('')}</tr>`).join('\n');
  const notes = (t.notes ?? []).map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('');
  return `<table class="eval"><caption>${escapeHtml(t.title)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>${notes}`;
}

const STYLE = `
body{font:14px/1.4 system-ui,'DejaVu Sans',sans-serif;margin:0;color:#222;background:#f6f6f4}
header,section{padding:12px 20px}header{background:#fff;border-bottom:1px solid #ddd}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:18px 0 8px}h3{font-size:14px;margin:10px 0 4px}
.plot{background:#fff;border:1px solid #ddd;display:inline-block;margin:4px 0;padding:4px}.plot svg{max-width:100%;height:auto}
table.eval{border-collapse:collapse;background:#fff;margin:6px 0 14px}table.eval caption{text-align:left;font-weight:600;padding:4px 0}
table.eval td,table.eval th{border:1px solid #ddd;padding:3px 8px;text-align:right}table.eval td:first-child,table.eval th:first-child{text-align:left}
.note,.muted{color:#666}.filters a{display:inline-block;margin:0 6px 6px 0;padding:4px 10px;border:1px solid #999;border-radius:14px;color:#222;text-decoration:none;background:#fff}
.filters a.active{background:#234;color:#fff;border-color:#234}
.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(430px,1fr));gap:10px}
.card{display:flex;gap:10px;background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px}.card[hidden]{display:none}
.card[data-shortcut="1"]{border-left:5px solid #d08000}
.imgs{flex:0 0 auto;display:flex;flex-direction:column;gap:4px}.imgs img{width:112px;image-rendering:pixelated;border:1px solid #ccc}
.noimg{width:112px;font-size:12px;color:#888;border:1px dashed #ccc;padding:4px}
.body{min-width:0;flex:1}.meta{font-size:12px;color:#666}
dl{display:grid;grid-template-columns:auto 1fr;gap:2px 8px;margin:6px 0}dt{color:#666}dd{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
dd.ok{color:#1a7f37;font-weight:600}dd.bad{color:#b42318;font-weight:600}.none{color:#aaa;font-style:italic}
.badge{font-size:11px;border-radius:8px;padding:1px 6px;margin-right:4px;color:#fff}.badge.shortcut{background:#d08000}.badge.wrong{background:#b42318}.badge.right-description{background:#1a7f37}
.chip{font-size:12px;background:#eef;border-radius:8px;padding:1px 6px;margin:0 4px 2px 0;display:inline-block}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f3f3f3;padding:6px;margin:4px 0;font-size:12px}`;

// Static: no data is interpolated into it (cards carry their categories as attributes).
const SCRIPT = `(function () {
  var tests = {
    all: function () { return true; },
    shortcut: function (c) { return c.getAttribute('data-shortcut') === '1'; },
    wrong: function (c) { return c.getAttribute('data-wrong') === '1'; },
    'right-description': function (c) { return c.getAttribute('data-right-description') === '1'; }
  };
  function current() {
    var m = /(?:^#|&)filter=([a-z-]+)/.exec(location.hash);
    return m && tests[m[1]] ? m[1] : 'all';
  }
  function apply() {
    var f = current(), shown = 0;
    var cards = document.querySelectorAll('.card');
    for (var i = 0; i < cards.length; i++) {
      var on = tests[f](cards[i]);
      if (on) { cards[i].removeAttribute('hidden'); shown++; } else cards[i].setAttribute('hidden', '');
    }
    var links = document.querySelectorAll('.filters a');
    for (var j = 0; j < links.length; j++) links[j].className = links[j].getAttribute('data-filter') === f ? 'active' : '';
    document.getElementById('shown-count').textContent = String(shown);
    document.body.setAttribute('data-filter', f);
  }
  window.addEventListener('hashchange', apply);
  window.addEventListener('load', function () {
    var imgs = document.querySelectorAll('.card img'), ok = 0;
    for (var i = 0; i < imgs.length; i++) if (imgs[i].complete && imgs[i].naturalWidth > 0) ok++;
    document.body.setAttribute('data-images-loaded', String(ok));
  });
  apply();
})();`;

const FILTERS: Array<[string, string]> = [['all', 'all'], ['shortcut', 'right answer from a wrong description'], ['wrong', 'wrong answer'], ['right-description', 'right description']];

/** The page for loaded report data. */
export async function renderReportHtml(data: ReportData, opts: ReportOptions = {}): Promise<{ html: string; result: Omit<ReportResult, 'path' | 'bytes'> }> {
  const perRun = data.runs.map((run) => run.samples.map((raw, i) => gallerySample(raw, run, `${join(run.dir, 'samples.jsonl')}:${i + 1}`, opts.parse)));
  const all = perRun.flat();
  const shown = spreadIndices(all.length, opts.maxSamples ?? 200).map((i) => all[i]);
  const plots: string[] = [];
  for (const [k, run] of data.runs.entries()) {
    const svg = await curvesSvg(run, perRun[k], opts.metrics);
    if (svg) plots.push(`<h3>${escapeHtml(run.name)}</h3><div class="plot" data-run="${escapeHtml(run.name)}">${svg}</div>`);
  }
  const count = (c: SampleCategory | 'all') => (c === 'all' ? shown.length : shown.filter((s) => categories(s).has(c)).length);
  const filters = FILTERS.map(([f, label]) => `<a href="#filter=${f}" data-filter="${f}">${escapeHtml(label)} (${count(f as SampleCategory | 'all')})</a>`).join('');
  const images = new ImageInliner();
  const cards = shown.map((s) => cardHtml(s, images)).join('\n');
  const hash = createHash('sha256').update(SCRIPT).digest('base64');
  const csp = `default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-${hash}'`;
  const title = `vsr1 report: ${resolve(data.dir)}`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
<header><h1>${escapeHtml(title)}</h1><div class="muted">${escapeHtml(data.kind)} folder · runs: ${escapeHtml(data.runs.map((r) => `${r.name} (${r.kind})`).join(', ') || 'none')} · written ${escapeHtml(new Date().toISOString())}</div></header>
<section id="curves"><h2>Training curves</h2>${plots.join('\n') || '<p class="muted">no metrics to plot</p>'}
<p class="note">samples/shortcut_share: share of the step's logged samples answered right from a description whose pass-2 answer is wrong.</p></section>
<section id="evaluation"><h2>Evaluation</h2>${data.tables.map(tableHtml).join('\n') || '<p class="muted">no evaluation in this folder</p>'}</section>
<section id="samples"><h2>Samples</h2>
<p class="muted">showing <span id="shown-count">${shown.length}</span> of ${shown.length} cards (${all.length} logged samples${all.length > shown.length ? `, thinned evenly to --max-samples ${shown.length}` : ''})</p>
<nav class="filters">${filters}</nav>
<div class="gallery">
${cards}
</div></section>
<script>${SCRIPT}</script>
</body></html>
`;
  return {
    html,
    result: { samples: shown.length, totalSamples: all.length, shortcutSamples: count('shortcut'), plots: plots.length, tables: data.tables.length },
  };
}

/** Reads `dir` and writes its report page; returns where and what it holds. */
export async function writeReport(dir: string, opts: ReportOptions = {}): Promise<ReportResult> {
  const data = loadReportData(dir, opts.evalFiles ?? []);
  const { html, result } = await renderReportHtml(data, opts);
  const path = opts.out ?? join(dir, 'report.html');
  writeFileSync(path, html);
  return { path, bytes: Buffer.byteLength(html), ...result };
}
