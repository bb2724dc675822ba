/**
 * `vsr1 data synth`: writes the built-in synthetic world (all splits, images, manifest).
 *
 *   vsr1 data synth --out DIR --size N --seed S [--prior P|none] [--image-size 112]
 */
import { mkdir } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { FAMILY_NAMES, type FamilyName } from '../world/families/index.js';
import { splitSizes, synthesizeWorld } from '../world/synth.js';

function parseInteger(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected an integer >= ${min}, got "${v}"`);
  return n;
}

function parsePrior(v: string): number | null {
  if (v === 'none') return null;
  const p = Number(v);
  if (!(v.trim() !== '' && p >= 0 && p <= 1)) throw new Error(`--prior: expected a number in [0, 1] or "none", got "${v}"`);
  return p;
}

function parseFamilies(v: string): FamilyName[] {
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const f of list) if (!(FAMILY_NAMES as readonly string[]).includes(f)) throw new Error(`--families: unknown family "${f}", expected some of ${FAMILY_NAMES.join(', ')}`);
  return list as FamilyName[];
}

/** The `data` command group, shared with other `data ...` subcommands. */
function dataGroup(program: Command): Command {
  return program.commands.find((c) => c.name() === 'data') ?? program.command('data').description('datasets: synthetic world, conversion, inspection');
}

export function register(program: Command): void {
  dataGroup(program)
    .command('synth')
    .description('write the built-in synthetic visual-reasoning world (sft, rl, val, test, test-shortcut)')
    .requiredOption('--out <dir>', 'output folder')
    .option('--size <n>', 'total number of items over all splits', '5000')
    .option('--seed <s>', 'master seed (unsigned 32-bit integer)', '0')
    .option('--prior <p>', 'language-prior strength in [0, 1], or "none"', '0.8')
    .option('--image-size <px>', 'square image size in pixels', '112')
    .option('--max-objects <n>', 'most objects per scene (2-4)', '4')
    .option('--object-scale <x>', 'factor on the objects\' size, 0.5-2 (1 = small 9 px, large 14 px radius at 112 px)', '1')
    .option('--families <list>', `comma-separated families (default all: ${FAMILY_NAMES.join(',')})`)
    .action(async (o: Record<string, string>) => {
      const size = parseInteger('size', o.size!, 5);
      const settings = {
        seed: parseInteger('seed', o.seed!, 0),
        prior: parsePrior(o.prior!),
        imageSize: parseInteger('image-size', o.imageSize!, 32),
        maxObjects: parseInteger('max-objects', o.maxObjects!, 2),
        objectScale: Number(o.objectScale),
        ...(o.families ? { families: parseFamilies(o.families) } : {}),
      };
      const out = o.out!;
      await mkdir(out, { recursive: true });
      const sizes = splitSizes(size);
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar({ format: 'synth {split} [{bar}] {value}/{total} {speed} items/s', stream: process.stderr }, cliProgress.Presets.shades_classic)
        : null;
      bar?.start(size, 0, { split: '', speed: 0 });
      const t0 = performance.now();
      const { manifest } = await synthesizeWorld({
        out,
        sizes,
        settings,
        onProgress: (done, _total, split) => {
          if (bar && (done % 50 === 0 || done === size)) bar.update(done, { split, speed: Math.round(done / ((performance.now() - t0) / 1000)) });
        },
      });
      bar?.stop();
      const secs = (performance.now() - t0) / 1000;
      console.log(`wrote ${size} items to ${out} in ${secs.toFixed(2)} s (${Math.round(size / secs)} items/s)`);
      const splits = manifest.splits as Record<string, { count: number; textOnlyBaseline: { withinSplit: { accuracy: number }; fromTraining: { accuracy: number } | null } }>;
      for (const [name, s] of Object.entries(splits)) {
        const b = s.textOnlyBaseline;
        console.log(
          `  ${name.padEnd(14)} ${String(s.count).padStart(6)} items  text-only baseline: within split ${(100 * b.withinSplit.accuracy).toFixed(1)}%` +
            (b.fromTraining ? `, from training ${(100 * b.fromTraining.accuracy).toFixed(1)}%` : ''),
        );
      }
    });
}
