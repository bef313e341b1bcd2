import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from './server-fixture.js';
import { benignRow, malignRow, postJson, startServer } from './server-fixture.js';

/** Ground truth over HTTP: predict with a case number, confirm it later, read live performance. */
describe('feedback and live performance over HTTP', () => {
  let server: RunningServer;
  const admin = { Authorization: 'Bearer admin-secret-0123456789' };
  const pathology = { Authorization: 'Bearer pathology-secret-0123456789' };
  beforeAll(async () => {
    server = await startServer({ adminToken: 'admin-secret-0123456789', feedbackToken: 'pathology-secret-0123456789' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('confirms predictions by case number and by prediction id, with either token', async () => {
    const predicted = (await (await postJson(`${server.base}/api/v1/predict`, { rows: [malignRow, benignRow], externalIds: ['H-001', 'H-002'] })).json()) as { predictions: { predictionId: string }[] };
    const byCase = await postJson(`${server.base}/api/v1/feedback`, { externalId: 'H-001', actual: 'M' }, pathology);
    expect(byCase.status).toBe(200);
    expect(await byCase.json()).toEqual({ results: [{ externalId: 'H-001', actual: 'M', status: 'recorded', predictions: 1 }] });
    const byId = await postJson(`${server.base}/api/v1/feedback`, { items: [{ predictionId: predicted.predictions[1].predictionId, actual: 'B' }] }, admin);
    expect(((await byId.json()) as { results: { status: string }[] }).results[0].status).toBe('recorded');
    const repeat = await postJson(`${server.base}/api/v1/feedback`, { externalId: 'H-001', actual: 'M' }, pathology);
    expect(((await repeat.json()) as { results: { status: string }[] }).results[0].status).toBe('unchanged');
    const live = (await (await fetch(`${server.base}/api/v1/performance/live`)).json()) as { confirmed: number; versions: { recall: number; confusionMatrix: number[][] }[] };
    expect(live.confirmed).toBe(2);
    expect(live.versions[0]).toMatchObject({ recall: 1, confusionMatrix: [[1, 0], [0, 1]] });
  });

  it('answers 4xx that name the problem, and 401/403 without the right token', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ externalId: 'H-404', actual: 'M' }, 404, /no externalId "H-404"/],
      [{ externalId: 'H-001', actual: 'B' }, 409, /confirmed as M before/],
      [{ externalId: 'H-002', actual: 'malignant' }, 400, /must be one of B, M/],
      [{ actual: 'M' }, 400, /either "predictionId" or "externalId"/],
      [{ items: [] }, 400, /invalid request: body/],
    ];
    for (const [body, status, message] of cases) {
      const response = await postJson(`${server.base}/api/v1/feedback`, body, pathology);
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: string }).error).toMatch(message);
    }
    expect((await postJson(`${server.base}/api/v1/feedback`, { externalId: 'H-001', actual: 'M' })).status).toBe(401);
    expect((await postJson(`${server.base}/api/v1/feedback`, { externalId: 'H-001', actual: 'M' }, { Authorization: 'Bearer wrong' })).status).toBe(403);
  });

  it('lets an admin correct a confirmed diagnosis, with a reason, recorded in the audit log; live figures follow', async () => {
    const correction = { externalId: 'H-001', actual: 'B', correct: true, reason: 'pathology report amended: benign' };
    const byPathology = await postJson(`${server.base}/api/v1/feedback`, correction, pathology);
    expect(byPathology.status).toBe(403);
    const noReason = await postJson(`${server.base}/api/v1/feedback`, { ...correction, reason: '  ' }, admin);
    expect(noReason.status).toBe(400);
    expect(((await noReason.json()) as { error: string }).error).toMatch(/needs a "reason"/);
    const reasonAlone = await postJson(`${server.base}/api/v1/feedback`, { externalId: 'H-001', actual: 'B', reason: 'x' }, admin);
    expect(reasonAlone.status).toBe(400);
    const before = (await (await fetch(`${server.base}/api/v1/performance/live`)).json()) as { versions: { confusionMatrix: number[][] }[] };
    expect(before.versions[0].confusionMatrix).toEqual([
      [1, 0],
      [0, 1],
    ]);

    const corrected = await postJson(`${server.base}/api/v1/feedback`, correction, admin);
    expect(corrected.status).toBe(200);
    expect(await corrected.json()).toEqual({ results: [{ externalId: 'H-001', actual: 'B', status: 'corrected', predictions: 1 }] });
    const again = await postJson(`${server.base}/api/v1/feedback`, correction, admin);
    expect(((await again.json()) as { results: { status: string }[] }).results[0].status).toBe('unchanged');
    // Pathology's own confirmations now see the corrected label.
    expect((await postJson(`${server.base}/api/v1/feedback`, { externalId: 'H-001', actual: 'M' }, pathology)).status).toBe(409);

    const live = (await (await fetch(`${server.base}/api/v1/performance/live`)).json()) as { confirmed: number; versions: { confusionMatrix: number[][] }[] };
    expect(live.confirmed).toBe(2);
    expect(live.versions[0].confusionMatrix).toEqual([
      [1, 1],
      [0, 0],
    ]);
    const audit = (await (await fetch(`${server.base}/api/v1/models/audit`)).json()) as { entries: { action: string; actor: string; reason: string }[] };
    expect(audit.entries[0]).toMatchObject({ action: 'diagnosis_correction', actor: 'admin', reason: 'case "H-001": confirmed M, corrected to B: pathology report amended: benign' });
  });

  it('reports drift as not judged until enough recent inputs arrived', async () => {
    const drift = (await (await fetch(`${server.base}/api/v1/drift`)).json()) as { report: unknown; reason: string; nRecent: number; computedAt: string; runId: number | null; sample: unknown };
    expect(drift.report).toBeNull();
    expect(drift.reason).toBe('2 recent inputs, 30 needed');
    expect(drift.sample).toMatchObject({ kind: 'newest', maxRows: 50_000, rows: 2, windowRows: 2 });
    expect(drift).toMatchObject({ nRecent: 2, runId: null });
    expect(new Date(drift.computedAt).toISOString()).toBe(drift.computedAt);
  });
});
