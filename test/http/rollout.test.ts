import { describe, expect, it } from 'vitest';
import { getJson, malignRow, postJson, useServer } from './server-fixture.js';

interface RolloutDoc {
  strategy: string;
  minCases: number;
  positive: string;
  rollout: {
    id: number;
    open: boolean;
    championVersion: number;
    challengerVersion: number;
    outcome: string | null;
    reason: string | null;
    shared: { cases: number; positives: number; minCases: number };
    champion: { version: number; value: number | null; recall: number | null; confusionMatrix: number[][] };
    challenger: { version: number; value: number | null; recall: number | null; confusionMatrix: number[][] };
    mcnemar: { b: number; c: number; pValue: number };
    verdict: { decision: string; reason: string };
  } | null;
}

describe('the rollout API', () => {
  const fixture = useServer({ config: { rollout: { strategy: 'shadow' }, schedule: { enabled: false } } });
  const rollout = () => getJson<RolloutDoc>(`${fixture.base}/api/v1/rollout`);

  it('shows no rollout before a challenger, then the challenger beside the champion on the shared cases', async () => {
    expect(await rollout()).toMatchObject({ strategy: 'shadow', minCases: 30, positive: 'M', rollout: null });
    await fixture.server.app.trainings.train({ mode: 'gridsearch' }, 'test');
    expect((await rollout()).rollout).toMatchObject({
      id: 1,
      open: true,
      championVersion: 1,
      challengerVersion: 2,
      shared: { cases: 0, positives: 0, minCases: 30 },
      champion: { version: 1, value: null, confusionMatrix: [[0, 0], [0, 0]] },
      verdict: { decision: 'collecting', reason: '0 confirmed positive of 0 shared cases so far, 30 positives needed (rollout.minCases)' },
    });

    const predicted = (await (await postJson(`${fixture.base}/api/v1/predict`, { row: malignRow, externalId: 'case-1' })).json()) as { modelVersion: number };
    expect(predicted.modelVersion).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    await fixture.server.app.rollouts.flush();
    expect((await postJson(`${fixture.base}/api/v1/feedback`, { externalId: 'case-1', actual: 'M' })).status).toBe(200);
    const doc = await rollout();
    expect(doc.rollout).toMatchObject({ shared: { cases: 1, positives: 1 }, champion: { recall: 1, confusionMatrix: [[0, 0], [0, 1]] }, challenger: { recall: 1 }, mcnemar: { b: 0, c: 0, pValue: 1 } });

    const metrics = await (await fetch(`${fixture.base}/metrics`)).text();
    expect(metrics).toContain('mloop_rollout_cases{kind="shared"} 1');
    expect(metrics).toContain('mloop_rollout_cases{kind="positives"} 1');
    expect(metrics).toContain('mloop_rollout_live_recall{role="champion",version="1"} 1');
    expect(metrics).toContain('mloop_rollout_live_recall{role="challenger",version="2"} 1');
  });

  it('aborts a rollout: the challenger is retired, the champion keeps serving', async () => {
    const aborted = await postJson(`${fixture.base}/api/v1/rollout/abort`, { reason: 'the challenger reads the old scanner' });
    expect(aborted.status).toBe(200);
    expect(await aborted.json()).toMatchObject({ id: 1, outcome: 'aborted', reason: 'the challenger reads the old scanner' });
    expect((await rollout()).rollout).toMatchObject({ id: 1, open: false, outcome: 'aborted' });
    const again = await postJson(`${fixture.base}/api/v1/rollout/abort`, {});
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: string }).error).toBe('no rollout is under way');
    const models = await getJson<{ activeVersion: number; models: { version: number; servingStatus: string }[] }>(`${fixture.base}/api/v1/models`);
    expect(models.activeVersion).toBe(1);
    expect(models.models.find((m) => m.version === 2)?.servingStatus).toBe('retired');
  });

  it('promotes the challenger before the rule decides only with a reason, and records it', async () => {
    await fixture.server.app.trainings.train({ mode: 'gridsearch' }, 'test');
    expect((await rollout()).rollout).toMatchObject({ id: 2, open: true, challengerVersion: 3 });
    expect((await postJson(`${fixture.base}/api/v1/rollout/promote`, {})).status).toBe(400);
    const promoted = await postJson(`${fixture.base}/api/v1/rollout/promote`, { force: true, reason: 'the old model reads the retired scanner' });
    expect(promoted.status).toBe(200);
    expect(await promoted.json()).toMatchObject({ id: 2, outcome: 'forced', championVersion: 1, challengerVersion: 3 });
    const predicted = (await (await postJson(`${fixture.base}/api/v1/predict`, { row: malignRow })).json()) as { modelVersion: number };
    expect(predicted.modelVersion).toBe(3);
    const { entries } = await getJson<{ entries: { action: string; fromVersion: number; toVersion: number; actor: string; reason: string }[] }>(`${fixture.base}/api/v1/models/audit`);
    expect(entries.slice(0, 4).map((e) => [e.action, e.fromVersion, e.toVersion, e.actor])).toEqual([
      ['forced_rollout_promotion', 1, 3, 'admin'],
      ['rollout_start', 1, 3, 'gate'],
      ['rollout_abort', 1, 2, 'admin'],
      ['rollout_start', 1, 2, 'gate'],
    ]);
    expect(entries[0].reason).toBe('the old model reads the retired scanner');
  });
});
