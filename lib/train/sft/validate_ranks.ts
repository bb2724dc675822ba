/**
 * SFT validation of a data-parallel run: each rank validates its share of the val records and
 * the results are summed over the ranks into what one process would report on them all.
 */
import type { ProcessGroup } from '../../distributed/process_group.js';
import type { ValidationResult } from './validate.js';

/** `families`: every family of the whole val set (the same list on every rank). */
export function reduceSftValidation(group: ProcessGroup, v: ValidationResult, families: readonly string[]): ValidationResult {
  const graded = v.samples.filter((s) => s.accuracy !== null);
  const fam = families.flatMap((f) => [(v.byFamily[f]?.accuracy ?? 0) * (v.byFamily[f]?.n ?? 0), v.byFamily[f]?.n ?? 0]);
  const [n, format, gradedN, correct, tokens, skipped, ...famSums] = group.sum([
    v.samples.length, v.samples.reduce((a, s) => a + s.format, 0), graded.length, graded.reduce((a, s) => a + s.accuracy!, 0),
    v.responseLength * v.samples.length, v.skipped, ...fam,
  ], 'SFT validation counts');
  const byFamily: ValidationResult['byFamily'] = {};
  families.forEach((f, i) => { const c = famSums[2 * i + 1]; if (c > 0) byFamily[f] = { accuracy: famSums[2 * i] / c, n: c }; });
  return {
    ...v, n, format: n ? format / n : NaN, accuracy: gradedN ? correct / gradedN : NaN, byFamily, responseLength: n ? tokens / n : 0, skipped,
    seconds: group.reduce([v.seconds], 'max', 'SFT validation seconds')[0],
  };
}
