import { describe, expect, it } from 'vitest';
import type { PairedCount, RolloutRules } from '../../src/core/rollout-rule.js';
import { rolloutVerdict, routesToChallenger, scoreRollout, stableUnit } from '../../src/core/rollout-rule.js';

const labels = ['B', 'M'];
const versions = { champion: 1, challenger: 2 };
const rules: RolloutRules = { metric: 'recall', positive: 'M', threshold: 0.9, maxRegression: 0, minCases: 30, maxDurationMs: 30 * 86_400_000, maxDuration: '30d' };

/** `n` cases confirmed `actual`, answered `champion` by v1 and `challenger` by v2. */
const cases = (n: number, actual: string, champion: string, challenger: string): PairedCount => ({ count: n, actual, championLabel: champion, challengerLabel: challenger });

describe('scoreRollout', () => {
  it('builds both confusion matrices from the same cases and counts the discordant pairs for McNemar', () => {
    const score = scoreRollout([cases(28, 'M', 'M', 'M'), cases(2, 'M', 'M', 'B'), cases(1, 'M', 'B', 'M'), cases(50, 'B', 'B', 'B'), cases(3, 'B', 'M', 'B')], labels, 'M', 'recall', versions);
    expect(score).toMatchObject({ shared: 84, sharedPositives: 31 });
    expect(score.champion.confusionMatrix).toEqual([[50, 3], [1, 30]]);
    expect(score.challenger.confusionMatrix).toEqual([[53, 0], [2, 29]]);
    expect(score.champion.recall).toBe(30 / 31);
    expect(score.challenger.recall).toBe(29 / 31);
    // Only the champion right: 2 malignant; only the challenger right: 1 malignant + 3 benign.
    expect(score.mcnemar).toMatchObject({ b: 2, c: 4 });
    // 2 * P(X <= 2), X ~ Binomial(6, 1/2) = 2 * 22/64.
    expect(score.mcnemar.pValue).toBe(0.6875);
  });

  it('has no figures before a case is shared', () => {
    const score = scoreRollout([], labels, 'M', 'recall', versions);
    expect(score.shared).toBe(0);
    expect(score.champion.value).toBeNaN();
    expect(score.mcnemar.pValue).toBe(1);
  });
});

describe('rolloutVerdict', () => {
  const day = 86_400_000;

  it('keeps collecting until rollout.minCases positives are shared', () => {
    const score = scoreRollout([cases(29, 'M', 'M', 'M')], labels, 'M', 'recall', versions);
    expect(rolloutVerdict(score, rules, 29 * day)).toEqual({ decision: 'collecting', reason: '29 confirmed positive of 29 shared cases so far, 30 positives needed (rollout.minCases)' });
  });

  it('ends without promotion once rollout.maxDuration has passed with too few positives', () => {
    const score = scoreRollout([cases(29, 'M', 'M', 'M')], labels, 'M', 'recall', versions);
    expect(rolloutVerdict(score, rules, 30 * day)).toEqual({
      decision: 'expire',
      reason: 'only 29 confirmed positive of 29 shared cases after 30d (rollout.maxDuration), 30 positives needed (rollout.minCases): v2 is not promoted, v1 stays active',
    });
  });

  it('promotes on a tie', () => {
    const score = scoreRollout([cases(29, 'M', 'M', 'M'), cases(1, 'M', 'B', 'B')], labels, 'M', 'recall', versions);
    expect(rolloutVerdict(score, rules, day)).toEqual({
      decision: 'promote',
      reason:
        'recall of M of v2 0.9667, of champion v1 0.9667 on the same 30 confirmed positive of 30 shared cases; exact McNemar p = 1.000 (0 cases only v1 got right, 0 only v2): v2 is not worse than the champion and reaches the threshold 0.9, promoted',
    });
  });

  it('rejects a challenger below the champion, and one within monitor.maxRegression is promoted', () => {
    const score = scoreRollout([cases(29, 'M', 'M', 'M'), cases(1, 'M', 'M', 'B')], labels, 'M', 'recall', versions);
    expect(rolloutVerdict(score, rules, day).decision).toBe('reject');
    expect(rolloutVerdict(score, rules, day).reason).toMatch(/: v2 is below the champion, rejected, v1 stays active$/);
    expect(rolloutVerdict(score, { ...rules, maxRegression: 0.05 }, day).decision).toBe('promote');
  });

  it('rejects a challenger below the threshold even when the champion is no better', () => {
    const score = scoreRollout([cases(25, 'M', 'M', 'M'), cases(5, 'M', 'B', 'B')], labels, 'M', 'recall', versions);
    expect(rolloutVerdict(score, rules, day).reason).toMatch(/: v2 is below the threshold 0\.9, rejected, v1 stays active$/);
  });
});

describe('canary routing', () => {
  it('sends a case number to the same side every time, and spreads case numbers by the percentage', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `case-${i}`);
    const units = ids.map(stableUnit);
    expect(ids.map(stableUnit)).toEqual(units);
    expect(units.every((u) => u >= 0 && u < 1)).toBe(true);
    const share = units.filter((u) => routesToChallenger(u, 10)).length / ids.length;
    // Binomial(10000, 0.1): standard deviation 0.003.
    expect(share).toBeGreaterThan(0.085);
    expect(share).toBeLessThan(0.115);
  });

  it('routes nothing at 0 % and everything at 100 %', () => {
    expect(routesToChallenger(0, 0)).toBe(false);
    expect(routesToChallenger(0.999999, 100)).toBe(true);
  });
});
