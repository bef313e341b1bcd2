import { expect, it } from 'vitest';
import { ActiveModelChangedError } from '../../src/store/errors.js';
import { describeDialects, useStoreFixture } from './dialects.js';

const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 8, minute)).toISOString();

describeDialects('rollouts in the store', (dialect) => {
  const fixture = useStoreFixture(dialect);

  it('keeps one rollout open, replaces it with a newer challenger, scores shared cases, and ends it once however many try', async () => {
    const { store } = fixture;
    await store.snapshots.create({ source: 's', contentHash: 'h', text: 'a,b\n', rowCount: 1, classCounts: {}, featureNames: [], reading: null, readingKey: 'k', unlabelledRows: 0, now: at(0) });
    const model = (minute: number) =>
      store.models.create({ mode: 'normalized', params: {}, pipeline: {}, gridSearch: null, snapshotId: 1, metrics: {}, reportText: '', monitoredMetric: 'recall', monitoredValue: 0.95, threshold: 0.9, trainingMs: 1, gateVerdict: 'passed', now: at(minute) });
    const [one, two, three] = [await model(1), await model(2), await model(3)];
    await store.models.activate(one.version, { reason: 'first', now: at(4) });

    // Started against a champion that does not serve: refused.
    await expect(store.rollouts.start({ strategy: 'shadow', canaryPercent: 10, championVersion: two.version, challengerVersion: three.version, now: at(5), actor: 'gate', reason: null })).rejects.toThrow(ActiveModelChangedError);
    const first = await store.rollouts.start({ strategy: 'shadow', canaryPercent: 10, championVersion: one.version, challengerVersion: two.version, now: at(5), actor: 'gate', reason: 'passed' });
    expect(first.replaced).toBeNull();
    expect((await store.models.get(two.version))?.servingStatus).toBe('challenger');
    const second = await store.rollouts.start({ strategy: 'canary', canaryPercent: 25, championVersion: one.version, challengerVersion: three.version, now: at(6), actor: 'gate', reason: 'passed' });
    expect(second.replaced).toMatchObject({ id: first.rollout.id, outcome: 'replaced', reason: `replaced by v${three.version}, a newer model that passed the promotion gate` });
    expect(await store.rollouts.open()).toMatchObject({ id: second.rollout.id, strategy: 'canary', canaryPercent: 25, championVersion: one.version, challengerVersion: three.version, endedAt: null });
    expect((await store.models.get(two.version))?.servingStatus).toBe('retired');
    await expect(store.db.insertInto('rollouts').values({ strategy: 'shadow', canary_percent: 10, champion_version: 1, challenger_version: 2, state: 'open', started_at: at(7), ended_at: null, outcome: null, reason: null, decided_by: null, score_json: null }).execute()).rejects.toThrow(/unique/i);

    // Three predictions: two answered by the champion, one by the challenger (canary); the other answers beside them.
    const prediction = (id: string, modelVersion: number, label: string) => ({ id, createdAt: at(8), modelVersion, route: 'api', input: [1], label, decision: 0, latencyMs: 1 });
    await store.predictions.insertMany([prediction('p1', one.version, 'M'), prediction('p2', one.version, 'B'), prediction('p3', three.version, 'M'), prediction('p4', one.version, 'M')]);
    const answer = (predictionId: string, modelVersion: number, label: string) => ({ predictionId, rolloutId: second.rollout.id, modelVersion, label, decision: 0, createdAt: at(8) });
    await store.rollouts.insertAnswers([answer('p1', three.version, 'B'), answer('p2', three.version, 'B'), answer('p3', one.version, 'M')]);
    await store.rollouts.insertAnswers([answer('p1', three.version, 'B')]);
    await store.predictions.confirm(['p1', 'p2', 'p3'], 'M', at(9));
    const counts = await store.rollouts.sharedCounts(second.rollout);
    expect(counts.sort((a, b) => a.championLabel.localeCompare(b.championLabel) || a.challengerLabel.localeCompare(b.challengerLabel))).toEqual([
      { championLabel: 'B', challengerLabel: 'B', actual: 'M', count: 1 },
      { championLabel: 'M', challengerLabel: 'B', actual: 'M', count: 1 },
      { championLabel: 'M', challengerLabel: 'M', actual: 'M', count: 1 },
    ]);

    const end = { outcome: 'promoted', reason: 'r', actor: 'gate', score: { shared: 3 }, now: at(10), action: 'rollout_promotion', activation: 'gate' } as const;
    const ended = await Promise.all([1, 2, 3].map(() => store.rollouts.end(second.rollout.id, end)));
    expect(ended.filter((r) => r !== undefined)).toHaveLength(1);
    expect(await store.rollouts.open()).toBeUndefined();
    expect(await store.models.activeVersion()).toBe(three.version);
    expect(await store.rollouts.get(second.rollout.id)).toMatchObject({ outcome: 'promoted', decidedBy: 'gate', score: { shared: 3 }, endedAt: at(10) });
    expect((await store.audit.list({ limit: 10 })).map((e) => [e.action, e.fromVersion, e.toVersion])).toEqual([
      ['rollout_promotion', one.version, three.version],
      ['rollout_start', one.version, three.version],
      ['rollout_replaced', one.version, two.version],
      ['rollout_start', one.version, two.version],
    ]);
    expect(await store.rollouts.purgeAnswersBefore(at(9))).toBe(3);
  });
});
