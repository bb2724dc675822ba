/**
 * The study's rule for more seeds: an arm whose accuracy range over seeds overlaps Vision-SR1's on
 * any held-out split is not ordered against it, so both get the extra seeds; an arm whose range is
 * clear of Vision-SR1's on every split gets none. Hand-made evaluations, no training.
 */
import { describe, expect, it } from 'vitest';
import { armsNeedingMoreSeeds } from '../../lib/jobs/study.js';
import { accuracyRangesOverlap, seedsOf, type StudyCell } from '../../lib/jobs/study_report.js';

/** One model's evaluation with only what the rule reads: accuracy on test and test-shortcut. */
function cell(arm: string, seed: number | null, test: number, shortcut: number): StudyCell {
  const r = (accuracy: number) => ({ accuracy, n: 100 }) as unknown as StudyCell['result'][string];
  return { arm, seed, result: { test: r(test), 'test-shortcut': r(shortcut) } };
}

const sr1 = [cell('vision-sr1', 0, 0.78, 0.56), cell('vision-sr1', 1, 0.79, 0.57), cell('vision-sr1', 2, 0.80, 0.58)];

describe('study: more seeds where ranges overlap', () => {
  it('finds an overlap on either split, and none when the ranges are apart', () => {
    const r1 = [cell('vision-r1', 0, 0.70, 0.50), cell('vision-r1', 1, 0.71, 0.51), cell('vision-r1', 2, 0.72, 0.52)];
    const noSelf = [cell('no-self-reward', 0, 0.70, 0.55), cell('no-self-reward', 1, 0.71, 0.56), cell('no-self-reward', 2, 0.72, 0.555)];
    const cells = [cell('sft', null, 0.77, 0.58), ...r1, ...noSelf, ...sr1];
    expect(accuracyRangesOverlap(cells, 'vision-r1', 'vision-sr1', 'test')).toBe(false);
    expect(accuracyRangesOverlap(cells, 'no-self-reward', 'vision-sr1', 'test')).toBe(false);
    // 0.56 is both no-self-reward's max and Vision-SR1's min on the shortcut split: touching ranges overlap.
    expect(accuracyRangesOverlap(cells, 'no-self-reward', 'vision-sr1', 'test-shortcut')).toBe(true);
    expect(accuracyRangesOverlap(cells, 'multi-reward', 'vision-sr1', 'test')).toBeNull();
    expect(armsNeedingMoreSeeds(cells, ['vision-r1', 'no-self-reward', 'vision-sr1'])).toEqual(['vision-sr1', 'no-self-reward']);
  });

  it('asks for nothing when every arm is apart, or when Vision-SR1 is not in the study', () => {
    const r1 = [cell('vision-r1', 0, 0.70, 0.50), cell('vision-r1', 1, 0.71, 0.51)];
    expect(armsNeedingMoreSeeds([...r1, ...sr1], ['vision-r1', 'vision-sr1'])).toEqual([]);
    const close = [cell('vision-r1', 0, 0.785, 0.50)];
    expect(armsNeedingMoreSeeds(close, ['vision-r1'])).toEqual([]);
  });

  it('lists the seeds an arm ran, extra ones included', () => {
    const cells = [...sr1, cell('vision-sr1', 3, 0.8, 0.5), cell('sft', null, 0.7, 0.5)];
    expect(seedsOf(cells, 'vision-sr1')).toEqual([0, 1, 2, 3]);
    expect(seedsOf(cells, 'sft')).toEqual([]);
  });
});
