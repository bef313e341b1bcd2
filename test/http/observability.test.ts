import { describe, expect, it } from 'vitest';
import { malignRow, postJson, useServer } from './server-fixture.js';

describe('metrics, probes and the API documents', () => {
  const fixture = useServer();

  it('GET /metrics exposes request, prediction, model and training metrics', async () => {
    await postJson(`${fixture.base}/api/v1/predict`, { rows: [malignRow, malignRow] });
    await postJson(`${fixture.base}/v2/models/mloop/infer`, { inputs: [{ name: 'x', shape: [1, 30], datatype: 'FP64', data: malignRow }] });
    await fetch(`${fixture.base}/train_svm?param=normalized`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    await fetch(`${fixture.base}/no/such/route/42`);
    const res = await fetch(`${fixture.base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('http_requests_total{method="POST",route="/api/v1/predict",status="200"} 1');
    // Route patterns, not raw URLs, so the label set stays bounded.
    expect(text).toContain('http_requests_total{method="POST",route="/v2/models/:name/infer",status="200"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).not.toContain('/no/such/route');
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/api\/v1\/predict"\} \d/);
    expect(text).toContain('mloop_predictions_total{class="M"} 3');
    expect(text).toMatch(/mloop_active_model_version \d+/);
    expect(text).toMatch(/mloop_monitored_metric\{metric="recall"\} 0\.979/);
    expect(text).toContain('mloop_training_duration_seconds_count{mode="normalized"} 1');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('GET /healthz and /readyz', async () => {
    expect(await (await fetch(`${fixture.base}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${fixture.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', modelVersion: fixture.server.app.registry.serving?.version });
  });

  it('GET /openapi.json is an OpenAPI 3 document with every route', async () => {
    const res = await fetch(`${fixture.base}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };
    expect(doc.openapi).toMatch(/^3\./);
    const expected: [string, string][] = [
      ['/update_data', 'get'],
      ['/train_svm', 'post'],
      ['/prediction', 'post'],
      ['/show_performance', 'get'],
      ['/get_recall', 'get'],
      ['/api/v1/predict', 'post'],
      ['/api/v1/data/update', 'post'],
      ['/api/v1/data/snapshots', 'get'],
      ['/api/v1/train', 'post'],
      ['/api/v1/runs', 'get'],
      ['/api/v1/runs/{id}', 'get'],
      ['/api/v1/models', 'get'],
      ['/api/v1/models/{version}', 'get'],
      ['/api/v1/models/{version}/promote', 'post'],
      ['/api/v1/models/rollback', 'post'],
      ['/api/v1/models/audit', 'get'],
      ['/api/v1/silences', 'post'],
      ['/api/v1/silences', 'get'],
      ['/api/v1/silences/{id}', 'delete'],
      ['/api/v1/performance', 'get'],
      ['/api/v1/performance/history', 'get'],
      ['/invocations', 'post'],
      ['/v2/health/live', 'get'],
      ['/v2/health/ready', 'get'],
      ['/v2/models/{name}', 'get'],
      ['/v2/models/{name}/ready', 'get'],
      ['/v2/models/{name}/infer', 'post'],
      ['/healthz', 'get'],
      ['/readyz', 'get'],
      ['/metrics', 'get'],
    ];
    for (const [path, method] of expected) expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    expect(Object.keys(doc.paths['/prediction'].post.responses['200'].content ?? {})).toEqual(['text/plain']);
    expect(Object.keys(doc.paths['/api/v1/predict'].post.responses['400'].content ?? {})).toEqual(['application/json']);
  });

  it('GET /docs serves the Swagger UI', async () => {
    const res = await fetch(`${fixture.base}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('Swagger UI');
  });
});
