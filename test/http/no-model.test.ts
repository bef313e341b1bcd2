import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from './server-fixture.js';
import { malignRow, postJson, startServer } from './server-fixture.js';

const notTrained = 'Model not trained yet, make a call to /train_svm to train it';

describe('before any model is trained', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ bootstrap: false });
  });
  afterAll(() => server.close());

  it("the tutorial's read routes answer 409 with the tutorial's text", async () => {
    for (const path of ['/show_performance', '/get_recall']) {
      const res = await fetch(`${server.base}${path}`);
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toBe(notTrained);
    }
  });

  it('prediction routes answer 409 JSON, readiness probes 503', async () => {
    const predict = await postJson(`${server.base}/api/v1/predict`, { row: malignRow });
    expect(predict.status).toBe(409);
    expect(((await predict.json()) as { error: string }).error).toMatch(/no model is active/);
    expect((await fetch(`${server.base}/api/v1/performance`)).status).toBe(409);
    expect((await fetch(`${server.base}/v2/models/mloop`)).status).toBe(409);
    const ready = await fetch(`${server.base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'not ready', modelVersion: null });
    expect((await fetch(`${server.base}/v2/health/ready`)).status).toBe(503);
    expect((await fetch(`${server.base}/v2/models/mloop/ready`)).status).toBe(503);
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.base}/v2/health/live`)).status).toBe(200);
  });

  it('the tutorial sequence then makes the service ready', async () => {
    expect(await (await fetch(`${server.base}/update_data`)).text()).toBe('Dataset successfully updated');
    const train = await fetch(`${server.base}/train_svm?param=normalized`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    expect(await train.text()).toBe('Model v1 trained (normalized): recall of M 0.9792, macro recall 0.9896, active');
    const ready = await fetch(`${server.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', modelVersion: 1 });
    expect(await (await fetch(`${server.base}/get_recall`)).text()).toBe('0.9895833333333333');
  });
});
