import { describe, expect, it } from 'vitest';
import type { CandidateMeasure, ChampionMeasure, GateRules } from '../../src/core/promotion-gate.js';
import { promotionGate } from '../../src/core/promotion-gate.js';

/** The figures of issue 14: normalized C=1 (v1) and C=0.3 on the bundled data's 114 test rows. */
const v1Recall = 47 / 48; // 47 of the 48 malignant cases found
const c03Recall = 44 / 48; // 44 of 48
const rules: GateRules = { maxRegression: 0, serveBelowThreshold: false, positive: 'M' };
const candidate = (value: number, extra: Partial<CandidateMeasure> = {}): CandidateMeasure => ({ metric: 'recall', value, threshold: 0.9, rows: 114, ...extra });
const champion = (value: number, extra: Partial<Extract<ChampionMeasure, { value: number }>> = {}): ChampionMeasure => ({ version: 1, value, trainedOnOtherData: false, ...extra });

describe('promotionGate without a champion', () => {
  it('serves a first model that reaches the threshold, with no reason to add', () => {
    expect(promotionGate(candidate(v1Recall), null, rules)).toEqual({ verdict: 'passed', serve: true, activation: 'first', reason: null, measured: 'recall of M 0.9792 reaches the threshold 0.9' });
  });

  it('keeps a first model below the threshold out of service by default, and says what would change that', () => {
    const decision = promotionGate(candidate(0.8333333333333334), null, rules);
    expect(decision).toMatchObject({ verdict: 'rejected', serve: false, activation: null, measured: 'recall of M 0.8333 is below the threshold 0.9' });
    expect(decision.reason).toBe(
      'recall of M 0.8333 is below the threshold 0.9: rejected by the promotion gate; no model serves until one passes the gate or an admin promotes one with force (monitor.serveBelowThreshold is false)',
    );
  });

  it('serves it anyway with serveBelowThreshold, but its verdict stays rejected', () => {
    const decision = promotionGate(candidate(0.8333333333333334), null, { ...rules, serveBelowThreshold: true });
    expect(decision).toMatchObject({ verdict: 'rejected', serve: true, activation: 'first' });
    expect(decision.reason).toBe('recall of M 0.8333 is below the threshold 0.9, but no model was active: it serves until a better one passes the gate (monitor.serveBelowThreshold)');
  });

  it('passes a value exactly at the threshold and rejects a NaN one', () => {
    expect(promotionGate(candidate(0.9), null, rules).verdict).toBe('passed');
    expect(promotionGate(candidate(Number.NaN), null, rules)).toMatchObject({ verdict: 'rejected', serve: false });
  });
});

describe('promotionGate against the champion, on the same rows', () => {
  it('rejects a candidate that passes the threshold but is worse than the champion, naming both figures (issue 14)', () => {
    const decision = promotionGate(candidate(c03Recall), champion(v1Recall), rules);
    expect(decision).toEqual({
      verdict: 'rejected',
      serve: false,
      activation: null,
      reason: "recall of M 0.9167 < champion v1's 0.9792 on the same 114 rows: rejected by the promotion gate, v1 stays active",
      measured: "recall of M 0.9167 < champion v1's 0.9792 on the same 114 rows",
    });
  });

  it('promotes a tie: the newer model learnt from the newer data', () => {
    const decision = promotionGate(candidate(v1Recall), champion(v1Recall), rules);
    expect(decision).toMatchObject({ verdict: 'passed', serve: true, activation: 'gate' });
    expect(decision.reason).toBe("recall of M 0.9792 >= champion v1's 0.9792 on the same 114 rows: passed the promotion gate, it replaces v1");
  });

  it('promotes a better candidate', () => {
    expect(promotionGate(candidate(1), champion(v1Recall), rules)).toMatchObject({ verdict: 'passed', serve: true, measured: "recall of M 1.0000 >= champion v1's 0.9792 on the same 114 rows" });
  });

  it('rejects below the threshold whatever the champion scores, as before', () => {
    expect(promotionGate(candidate(0.8333333333333334), champion(0.5), rules)).toMatchObject({
      verdict: 'rejected',
      serve: false,
      reason: 'recall of M 0.8333 is below the threshold 0.9: rejected by the promotion gate, v1 stays active',
    });
  });

  it('allows a drop up to monitor.maxRegression, inclusive, and not beyond', () => {
    const lenient = { ...rules, maxRegression: 0.25 };
    // 0.75 - 0.5 is exactly 0.25 in doubles.
    expect(promotionGate(candidate(0.5, { threshold: 0.5 }), champion(0.75), lenient)).toMatchObject({
      verdict: 'passed',
      measured: "recall of M 0.5000 is within 0.25 (monitor.maxRegression) of champion v1's 0.7500 on the same 114 rows",
    });
    expect(promotionGate(candidate(0.4375, { threshold: 0.4 }), champion(0.75), lenient)).toMatchObject({
      verdict: 'rejected',
      measured: "recall of M 0.4375 is more than 0.25 (monitor.maxRegression) below champion v1's 0.7500 on the same 114 rows",
    });
    expect(promotionGate(candidate(c03Recall), champion(v1Recall), { ...rules, maxRegression: 0.0625 }).verdict).toBe('passed');
  });

  it('warns that the comparison favours a champion trained on other data', () => {
    const decision = promotionGate(candidate(c03Recall), champion(v1Recall, { trainedOnOtherData: true, snapshotId: 3 }), rules);
    expect(decision.reason).toBe(
      "recall of M 0.9167 < champion v1's 0.9792 on the same 114 rows; v1 was trained on snapshot 3, which may hold some of these rows, so the comparison favours v1: rejected by the promotion gate, v1 stays active",
    );
    expect(promotionGate(candidate(1), champion(v1Recall, { trainedOnOtherData: true }), rules).reason).toContain('v1 was trained on other data, which may hold some of these rows');
  });

  it('rejects when the champion cannot be measured on the rows: no evidence the candidate is not worse', () => {
    const decision = promotionGate(candidate(1), { version: 4, unmeasurable: "the data has no feature 'area_se'" }, rules);
    expect(decision).toMatchObject({ verdict: 'rejected', serve: false, activation: null });
    expect(decision.reason).toBe("recall of M 1.0000 reaches the threshold 0.9, but champion v4 cannot be measured on the same rows (the data has no feature 'area_se'): rejected by the promotion gate, v4 stays active");
  });

  it('rejects when the champion measures NaN: no comparison, no promotion', () => {
    expect(promotionGate(candidate(1), champion(Number.NaN), rules)).toMatchObject({ verdict: 'rejected', serve: false, measured: "recall of M 1.0000 < champion v1's NaN on the same 114 rows" });
  });

  it('prints more decimals when four would show unequal values alike', () => {
    expect(promotionGate(candidate(0.97921, { threshold: 0.5 }), champion(0.97924), rules).measured).toBe("recall of M 0.97921 < champion v1's 0.97924 on the same 114 rows");
  });

  it('names macro recall as such', () => {
    expect(promotionGate(candidate(0.95, { metric: 'recall_macro' }), champion(0.96), rules).measured).toBe("macro recall 0.9500 < champion v1's 0.9600 on the same 114 rows");
  });
});

describe('promotionGate under a rollout strategy', () => {
  it('makes a candidate that passes against the champion its challenger instead of serving it', () => {
    expect(promotionGate(candidate(v1Recall), champion(v1Recall), { ...rules, rollout: 'shadow' })).toEqual({
      verdict: 'passed',
      serve: false,
      activation: 'rollout',
      reason: "recall of M 0.9792 >= champion v1's 0.9792 on the same 114 rows: passed the promotion gate, it becomes the challenger of v1 (shadow rollout)",
      measured: "recall of M 0.9792 >= champion v1's 0.9792 on the same 114 rows",
    });
  });

  it('still serves a first model at once, and still rejects a worse one', () => {
    expect(promotionGate(candidate(v1Recall), null, { ...rules, rollout: 'canary' })).toMatchObject({ serve: true, activation: 'first' });
    expect(promotionGate(candidate(c03Recall), champion(v1Recall), { ...rules, rollout: 'canary' })).toMatchObject({ verdict: 'rejected', activation: null });
  });
});
