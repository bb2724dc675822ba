import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  consoleTable, formatNumber, markdownTable, plotCurves, readJsonlRows, summarizeMetrics, summaryTable, writeCurvesPng,
} from '../../lib/report/index.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function ihdrSize(png: Uint8Array): { width: number; height: number } {
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  expect(String.fromCharCode(...png.subarray(12, 16))).toBe('IHDR');
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

function svgSize(svg: string): { width: number; height: number } {
  const m = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  expect(m).not.toBeNull();
  return { width: Number(m![1]), height: Number(m![2]) };
}

const rows = Array.from({ length: 40 }, (_, s) => ({
  step: s, wall_time: 1e9 + s, 'reward/overall': 1 - Math.exp(-s / 10), 'loss/pg': Math.cos(s / 5) * 0.1, 'timing/rollout': 3 + (s % 3),
}));

describe('training-curve PNG', () => {
  it('renders a PNG whose size matches the SVG at 2x', async () => {
    const t0 = performance.now();
    const plot = await plotCurves(rows, { metrics: ['reward/overall', 'loss/pg', 'timing/rollout'], title: 'run' });
    const ms = performance.now() - t0;
    expect(Array.from(plot.png.subarray(0, 8))).toEqual(PNG_SIGNATURE);
    const png = ihdrSize(plot.png);
    const svg = svgSize(plot.svg);
    expect(png).toEqual({ width: plot.width, height: plot.height });
    expect(png.width).toBe(Math.round(svg.width * 2));
    expect(png.height).toBe(Math.round(svg.height * 2));
    // 3 panels in 2 columns: wider than one panel (320), taller than two rows of 180
    expect(svg.width).toBeGreaterThan(2 * 320);
    expect(svg.height).toBeGreaterThan(2 * 180);
    expect(plot.svg).toContain('reward/overall');
    console.log(`plotCurves: ${ms.toFixed(0)} ms, ${png.width}x${png.height}`);

    // Something was drawn: the default vega line colour (#4c78a8) appears in the pixels.
    const { data, info } = await sharp(plot.png).raw().toBuffer({ resolveWithObject: true });
    let blue = 0;
    for (let i = 0; i < data.length; i += info.channels) {
      if (Math.abs(data[i] - 0x4c) < 12 && Math.abs(data[i + 1] - 0x78) < 12 && Math.abs(data[i + 2] - 0xa8) < 12) blue++;
    }
    expect(blue).toBeGreaterThan(500);
  });

  it('honours an exact output width and the overlay layout', async () => {
    const plot = await plotCurves(rows, { layout: 'overlay', width: 800, panelWidth: 400, panelHeight: 200 });
    const png = ihdrSize(plot.png);
    const svg = svgSize(plot.svg);
    expect(png.width).toBe(800);
    expect(Math.abs(png.height - (svg.height * 800) / svg.width)).toBeLessThanOrEqual(1);
    expect(plot.svg).toContain('timing/rollout'); // legend lists every metric found
  });

  it('reads metrics.jsonl and writes the file; errors are clear', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vsr1-plot-'));
    const jsonl = join(dir, 'metrics.jsonl');
    writeFileSync(jsonl, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const back = readJsonlRows(jsonl);
    expect(back).toHaveLength(40);
    await writeCurvesPng(join(dir, 'plots', 'curves.png'), back, { metrics: ['reward/overall'] });
    expect(Array.from(readFileSync(join(dir, 'plots', 'curves.png')).subarray(0, 8))).toEqual(PNG_SIGNATURE);
    writeFileSync(jsonl, '{"step": 1}\n{oops\n');
    expect(() => readJsonlRows(jsonl)).toThrow(`${jsonl}:2: not valid JSON`);
    await expect(plotCurves([{ step: 1, note: 'x' }])).rejects.toThrow(/no numeric metrics/);
    await expect(plotCurves([{ step: 1, a: Number.NaN }], { metrics: ['a'] })).rejects.toThrow(/none of \[a\] has a finite value/);
  });
});

describe('summary tables', () => {
  it('summarises metric series', () => {
    const s = summarizeMetrics([{ step: 0, a: 3 }, { step: 1, a: 1, b: 2 }, { step: 2, a: 2, b: Number.NaN }]);
    expect(s).toEqual([
      { metric: 'a', count: 3, first: 3, last: 2, min: 1, max: 3, mean: 2 },
      { metric: 'b', count: 1, first: 2, last: 2, min: 2, max: 2, mean: 2 },
    ]);
  });

  it('renders markdown and console tables', () => {
    expect(markdownTable(['name', 'v'], [['a|b', 1.23456], ['c', null]])).toBe('| name | v |\n|---|---:|\n| a\\|b | 1.235 |\n| c | - |');
    expect(consoleTable(['k', 'value'], [['x', 1], ['long', 22.5]])).toBe('k     value\n----  -----\nx         1\nlong   22.5');
    expect(summaryTable([{ step: 0, loss: 1 }, { step: 1, loss: 0.5 }], undefined, 'markdown')).toContain('| loss | 2 | 1 | 0.5 | 0.5 | 1 | 0.75 |');
    expect(formatNumber(1e-6)).toBe('1.000e-6');
    expect(formatNumber(12345.678)).toBe('12350');
  });
});

describe('smoothed curves', () => {
  it('matches the debiased EMA by hand and draws raw and smoothed layers', async () => {
    const { smoothed, curvesSpec, plotCurves } = await import('../../lib/report/plot.js');
    const xs = [1, 0, 1, 1];
    let e = 0;
    const hand = xs.map((v, i) => { e = 0.5 * e + 0.5 * v; return e / (1 - 0.5 ** (i + 1)); });
    expect(smoothed(xs, 0.5)).toEqual(hand);
    expect(smoothed([3, 3, 3], 0.9).map((v) => +v.toFixed(12))).toEqual([3, 3, 3]); // debiased: a constant stays put
    expect(() => smoothed(xs, 1)).toThrow(/\[0, 1\)/);
    const rows = xs.map((v, i) => ({ step: i + 1, 'reward/overall': v }));
    const spec = curvesSpec(rows, { smooth: 0.5 }) as unknown as { spec: { layer: unknown[] }; data: { values: Array<{ smoothed: number }> } };
    expect(spec.spec.layer).toHaveLength(2);
    expect(spec.data.values.map((v) => v.smoothed)).toEqual(hand);
    const plot = await plotCurves(rows, { smooth: 0.5 });
    expect(Buffer.from(plot.png).subarray(1, 4).toString()).toBe('PNG');
  });
});
