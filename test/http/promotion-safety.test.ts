import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { getJson, malignRow, postJson, useServer } from './server-fixture.js';

interface ModelView {
  version: number;
  status: string;
  gateVerdict: string;
  servingStatus: string;
  gateReason: string | null;
}

interface AlertView {
  name: string;
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  silencedBy: number[];
  silenceMatchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[];
}

async function train(base: string, body: unknown): Promise<{ version: number; activated: boolean; gateReason: string | null }> {
  const { links } = (await (await postJson(`${base}/api/v1/train`, body)).json()) as { links: { run: string } };
  const run = await waitFor(
    'the training',
    async () => {
      const r = await getJson<{ status: string; result: { version: number; activated: boolean; gateReason: string | null } }>(`${base}${links.run}`);
      return r.status === 'succeeded' || r.status === 'failed' ? r : undefined;
    },
    60_000,
    50,
  );
  expect(run.status).toBe('succeeded');
  return run.result;
}

describe('safe promotion through the API', () => {
  const fixture = useServer();

  it('rejects normalized C=0.3 against the serving v1 with both figures, and v1 still answers', async () => {
    const result = await train(fixture.base, { mode: 'normalized', C: 0.3 });
    expect(result).toMatchObject({ version: 2, activated: false });
    expect(result.gateReason).toBe("recall of M 0.9167 < champion v1's 0.9792 on the same 114 rows: rejected by the promotion gate, v1 stays active");
    const { activeVersion, models } = await getJson<{ activeVersion: number; models: ModelView[] }>(`${fixture.base}/api/v1/models`);
    expect(activeVersion).toBe(1);
    expect(models.map((m) => [m.version, m.status, m.gateVerdict, m.servingStatus])).toEqual([
      [2, 'rejected', 'rejected', 'candidate'],
      [1, 'active', 'passed', 'active'],
    ]);
    const predicted = (await (await postJson(`${fixture.base}/api/v1/predict`, { row: malignRow })).json()) as { modelVersion: number };
    expect(predicted.modelVersion).toBe(1);
  });

  it('answers 409 naming the rejection to a promotion without force, 400 to force without a reason', async () => {
    const refused = await fetch(`${fixture.base}/api/v1/models/2/promote`, { method: 'POST' });
    expect(refused.status).toBe(409);
    const body = (await refused.json()) as { error: string; details: { forceRequired: boolean; gateVerdict: string } };
    expect(body.error).toMatch(/^v2 was rejected by the promotion gate \(recall of M 0\.9167 < champion v1's 0\.9792 on the same 114 rows: .*\): promoting v2 needs force and a reason/);
    expect(body.details).toMatchObject({ forceRequired: true, gateVerdict: 'rejected' });
    const noReason = await postJson(`${fixture.base}/api/v1/models/2/promote`, { force: true });
    expect(noReason.status).toBe(400);
    expect(((await noReason.json()) as { error: string }).error).toMatch(/^force needs a reason/);
    expect((await getJson<{ activeVersion: number }>(`${fixture.base}/api/v1/models`)).activeVersion).toBe(1);
  });

  it('promotes it with force and a reason: 200, the audit log holds it, the gate verdict still says rejected', async () => {
    const forced = await postJson(`${fixture.base}/api/v1/models/2/promote`, { force: true, reason: 'pathology wants fewer false alarms this week' });
    expect(forced.status).toBe(200);
    expect(await forced.json()).toMatchObject({ version: 2, status: 'active', gateVerdict: 'rejected', servingStatus: 'active' });
    const { entries } = await getJson<{ entries: { action: string; fromVersion: number; toVersion: number; actor: string; reason: string }[] }>(`${fixture.base}/api/v1/models/audit`);
    expect(entries.map((e) => [e.action, e.fromVersion, e.toVersion, e.actor, e.reason])).toEqual([
      ['forced_promotion', 1, 2, 'admin', 'pathology wants fewer false alarms this week'],
      ['gate_activation', null, 1, 'gate', 'first model: recall of M 0.9792 reaches the threshold 0.9'],
    ]);
    expect(await getJson<ModelView>(`${fixture.base}/api/v1/models/2`)).toMatchObject({ gateVerdict: 'rejected', gateReason: expect.stringContaining("champion v1's 0.9792") as unknown });

    // An old client's bodiless rollback to a version that passed needs no force.
    const rolledBack = await fetch(`${fixture.base}/api/v1/models/rollback`, { method: 'POST' });
    expect(rolledBack.status).toBe(200);
    expect(await rolledBack.json()).toMatchObject({ version: 1, status: 'active' });
    expect(await getJson<ModelView>(`${fixture.base}/api/v1/models/2`)).toMatchObject({ status: 'rejected', gateVerdict: 'rejected', servingStatus: 'retired' });
  });

  it('silences an alert: its notifications are muted, the alert says by which silence, and expiring it ends that', async () => {
    // A second rejection fires a new alert (the first closed when v2 was promoted by hand).
    await train(fixture.base, { mode: 'basic' });
    const firing = () => getJson<{ alerts: AlertView[] }>(`${fixture.base}/api/v1/alerts?status=firing`).then((r) => r.alerts);
    const [alert] = await firing();
    expect(alert).toMatchObject({ name: 'model_rejected', labels: { model_version: '3' }, silencedBy: [] });
    expect(alert.silenceMatchers).toEqual([{ name: 'alertname', value: 'model_rejected', isRegex: false, isEqual: true }]);

    const created = await postJson(`${fixture.base}/api/v1/silences`, { matchers: alert.silenceMatchers, until: '2h', reason: 'retraining all week' });
    expect(created.status).toBe(201);
    const silence = (await created.json()) as { id: number; state: string; createdBy: string; startsAt: string; endsAt: string };
    expect(silence).toMatchObject({ state: 'active', createdBy: 'admin' });
    expect(Date.parse(silence.endsAt) - Date.parse(silence.startsAt)).toBe(2 * 3_600_000);
    expect((await firing())[0].silencedBy).toEqual([silence.id]);
    expect((await getJson<{ silences: { id: number }[] }>(`${fixture.base}/api/v1/silences?state=active`)).silences.map((s) => s.id)).toEqual([silence.id]);

    // The next rejection fires and is shown, but neither it nor the closing of v3's is notified.
    const byVersion = async (version: string) => (await getJson<{ alerts: (AlertView & { lastNotifiedAt: string | null })[] }>(`${fixture.base}/api/v1/alerts`)).alerts.find((a) => a.labels.model_version === version);
    const v3NotifiedAt = (await byVersion('3'))?.lastNotifiedAt;
    expect(v3NotifiedAt).not.toBeNull();
    await train(fixture.base, { mode: 'basic' });
    expect(await byVersion('4')).toMatchObject({ status: 'firing', silencedBy: [silence.id], lastNotifiedAt: null });
    expect(await byVersion('3')).toMatchObject({ status: 'resolved', annotations: { resolution: 'superseded', resolved_by_version: '4' }, lastNotifiedAt: v3NotifiedAt });

    const expired = await fetch(`${fixture.base}/api/v1/silences/${silence.id}`, { method: 'DELETE' });
    expect(expired.status).toBe(200);
    expect(await expired.json()).toMatchObject({ id: silence.id, state: 'expired' });
    expect((await firing())[0].silencedBy).toEqual([]);
    expect((await fetch(`${fixture.base}/api/v1/silences/999`, { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses a silence that would mute everything, or that ends in the past', async () => {
    const everything = await postJson(`${fixture.base}/api/v1/silences`, { matchers: [{ name: 'alertname', value: '.*', isRegex: true }], until: '1h', reason: 'r' });
    expect(everything.status).toBe(400);
    expect(((await everything.json()) as { error: string }).error).toContain('at least one matcher must not match the empty string');
    const past = await postJson(`${fixture.base}/api/v1/silences`, { matchers: [{ name: 'alertname', value: 'data_drift' }], until: '2020-01-01T00:00:00Z', reason: 'r' });
    expect(past.status).toBe(400);
    expect(((await past.json()) as { error: string }).error).toContain('until: 2020-01-01T00:00:00.000Z is not in the future');
    const words = await postJson(`${fixture.base}/api/v1/silences`, { matchers: [{ name: 'alertname', value: 'data_drift' }], until: 'tomorrow', reason: 'r' });
    expect(((await words.json()) as { error: string }).error).toContain('until: expected an instant (2026-03-02T10:00:00Z) or a duration from now (2h, 1d), got "tomorrow"');
  });
});

describe('a server whose first model is below the threshold', () => {
  const fixture = useServer({ config: { monitor: { threshold: 0.99 } } });

  it('answers predictions with 503 and says why, and is not ready', async () => {
    for (const [path, body] of [
      ['/api/v1/predict', { row: malignRow }],
      ['/prediction', { data: [malignRow] }],
      ['/invocations', { instances: [malignRow] }],
    ] as const) {
      const res = await postJson(`${fixture.base}${path}`, body);
      expect(res.status, path).toBe(503);
      expect(((await res.json()) as { error: string }).error, path).toMatch(/^no model serves: the promotion gate rejected v1 \(recall of M 0\.9792, threshold 0\.99\) and monitor\.serveBelowThreshold is false/);
    }
    expect((await fetch(`${fixture.base}/readyz`)).status).toBe(503);
    const forced = await postJson(`${fixture.base}/api/v1/models/1/promote`, { force: true, reason: 'no better model yet' });
    expect(forced.status).toBe(200);
    expect((await postJson(`${fixture.base}/api/v1/predict`, { row: malignRow })).status).toBe(200);
  });
});
