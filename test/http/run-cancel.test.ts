import { describe, expect, it } from 'vitest';
import { tempDir, writeFile } from '../helpers/fixtures.js';
import { largerCsv, slowGrid } from '../helpers/slow-training.js';
import { waitFor } from '../helpers/wait-for.js';
import { getJson, postJson, useServer } from './server-fixture.js';

interface Run {
  id: number;
  status: string;
  progressDone: number | null;
  error: string | null;
  cancelRequestedAt: string | null;
}


const cancel = (base: string, id: number) => fetch(`${base}/api/v1/runs/${id}/cancel`, { method: 'POST' });

function underWay(base: string, id: number): Promise<Run> {
  return waitFor(`run ${id} to be under way`, async () => {
    const run = await getJson<Run>(`${base}/api/v1/runs/${id}`);
    return run.status === 'running' && (run.progressDone ?? 0) > 0 ? run : undefined;
  }, 30_000, 20);
}

describe('POST /api/v1/runs/{id}/cancel', () => {
  const fixture = useServer({ config: { training: { cv: 3, grid: slowGrid } } });

  it('stops a running training: 200 with the run cancelled, then 409; the next training starts at once', async () => {
    const started = await postJson(`${fixture.base}/api/v1/train`, { mode: 'gridsearch' });
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: number };
    await underWay(fixture.base, runId);
    const res = await cancel(fixture.base, runId);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: runId, status: 'cancelled', error: 'requested through the API', cancelRequestedAt: null });
    const again = await cancel(fixture.base, runId);
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: `run ${runId} is already over (cancelled): nothing to cancel`, details: { runId, status: 'cancelled' } });
    expect((await postJson(`${fixture.base}/api/v1/train`, { mode: 'basic' })).status).toBe(202);
  });

  it('answers the synchronous /train_svm of a cancelled training with 409', async () => {
    await waitFor('no training', () => (fixture.server.app.trainings.current === null ? true : undefined), 30_000);
    const answer = fetch(`${fixture.base}/train_svm?param=gridsearch`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    const runId = await waitFor('the tutorial training', () => fixture.server.app.trainings.current?.id, 10_000, 10);
    await underWay(fixture.base, runId);
    expect((await cancel(fixture.base, runId)).status).toBe(200);
    const res = await answer;
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: `run ${runId} was cancelled: requested through the API`, details: { runId } });
  });

  it('404 for an unknown run, 400 for an id that is not one', async () => {
    expect((await cancel(fixture.base, 9999)).status).toBe(404);
    expect((await fetch(`${fixture.base}/api/v1/runs/x/cancel`, { method: 'POST' })).status).toBe(400);
  });
});

describe('training.timeout over HTTP', () => {
  const source = writeFile(tempDir(), 'data.csv', largerCsv(12));
  const fixture = useServer({ config: { dataset: { source }, training: { cv: 3, grid: slowGrid, timeout: '1s' } }, bootstrap: false });

  it('answers /train_svm with 504 naming the limit, and the run reads failed', async () => {
    const res = await fetch(`${fixture.base}/train_svm?param=gridsearch`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    expect(res.status).toBe(504);
    const body = (await res.json()) as { error: string; details: { runId: number } };
    expect(body.error).toBe(`run ${body.details.runId} timed out after 1s (training.timeout) and was stopped`);
    expect(await getJson<Run>(`${fixture.base}/api/v1/runs/${body.details.runId}`)).toMatchObject({ status: 'failed', error: body.error });
  });
});
