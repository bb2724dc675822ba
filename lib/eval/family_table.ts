/**
 * The per-family console table of an evaluation on world data (`vsr1 eval`): answer scores,
 * the language-shortcut rate and the hallucination metrics against the scene, in percent.
 */
import { consoleTable } from '../report/index.js';
import type { FamilyScore, HallucinationSummary } from './family_breakdown.js';

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '-' : (100 * x).toFixed(1));

const HEADERS = ['family', 'n', 'acc %', 'desc acc %', 'LSR %', 'obj P %', 'obj R %', 'halluc %', 'colour P/R %', 'shape P/R %', 'count acc %', 'no desc'];

function row(name: string, s: Omit<FamilyScore, 'hallucination'>, h: HallucinationSummary | null): string[] {
  return [
    name, String(s.n), pct(s.accuracy), pct(s.descriptionAccuracy), pct(s.languageShortcutRate),
    pct(h?.objectPrecision), pct(h?.objectRecall), pct(h?.hallucinationRate),
    `${pct(h?.colourPrecision)}/${pct(h?.colourRecall)}`, `${pct(h?.shapePrecision)}/${pct(h?.shapeRecall)}`,
    pct(h?.countAccuracy), h ? String(h.missing) : '-',
  ];
}

/** The table: one 'all' row from the overall scores, then one row per family. */
export function familyTable(r: Omit<FamilyScore, 'hallucination'> & { hallucination: HallucinationSummary | null; families: Record<string, FamilyScore> | null }): string {
  const rows = [row('all', r, r.hallucination), ...Object.entries(r.families ?? {}).map(([k, f]) => row(k, f, f.hallucination))];
  return consoleTable(HEADERS, rows);
}
