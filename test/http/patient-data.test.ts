import { describe, expect, it } from 'vitest';
import { benignRow, malignRow, postJson, useServer } from './server-fixture.js';

/**
 * Patient data (issue 13, item 7): the fitted pipeline (its support vectors are training
 * patients' rows) and the drift histograms need the read or the admin token once the server has
 * one; the summaries stay public, so the dashboard reads them without a token.
 */
const adminToken = 'admin-token-0123456789abcdef';
const readToken = 'read-token-0123456789abcdef';
const predictToken = 'predict-token-0123456789abcdef';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

interface FeatureDrift {
  feature: string;
  pAdjusted: number;
  histogram?: { edges: number[]; reference: number[]; recent: number[] };
}
interface Drift {
  report: { features: FeatureDrift[] } | null;
}

const guarded = ['/api/v1/models/1?include=pipeline', '/api/v1/models/1?include', '/api/v1/models/1/pipeline', '/api/v1/drift?include=histograms'];

describe('patient data with a read token configured', () => {
  const fixture = useServer({ adminToken, readToken, predictToken, config: { monitor: { driftMinRows: 2 } } });
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${fixture.base}${path}`, { headers });

  it.each(guarded)('GET %s answers 401 without a token and 403 with the prediction token', async (path) => {
    const anonymous = await get(path);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="mloop", scope="read"');
    expect(((await anonymous.json()) as { error: string }).error).toMatch(/Authorization: Bearer <token>.*the read or the admin token/);
    expect((await get(path, bearer(predictToken))).status).toBe(403);
  });

  it('shows the fitted pipeline with the read token or the admin token', async () => {
    for (const token of [readToken, adminToken]) {
      const { pipeline } = (await (await get('/api/v1/models/1?include=pipeline', bearer(token))).json()) as { pipeline: { svc: { supportVectors: unknown } } };
      expect(pipeline.svc.supportVectors).toBeDefined();
      const alone = (await (await get('/api/v1/models/1/pipeline', bearer(token))).json()) as unknown;
      expect(alone).toEqual(pipeline);
    }
  });

  it('keeps the summary public, with the feature names and without the pipeline', async () => {
    const res = await get('/api/v1/models/1');
    expect(res.status).toBe(200);
    const model = (await res.json()) as { version: number; featureSchema: { name: string; imputedValue: unknown }[]; verdict: { passed: boolean } };
    expect(model).not.toHaveProperty('pipeline');
    expect(model.featureSchema).toHaveLength(30);
    expect(model.featureSchema[0].name).toBe('radius_mean');
    expect(model.verdict.passed).toBe(true);
  });

  it('GET /api/v1/drift gives the tests without the histograms; ?include=histograms adds them for the read token', async () => {
    expect((await postJson(`${fixture.base}/api/v1/predict`, { rows: [malignRow, benignRow, malignRow] }, bearer(predictToken))).status).toBe(200);
    const summary = (await (await get('/api/v1/drift')).json()) as Drift;
    expect(summary.report?.features).toHaveLength(30);
    expect(summary.report?.features.every((f) => f.histogram === undefined && typeof f.pAdjusted === 'number')).toBe(true);
    const full = (await (await get('/api/v1/drift?include=histograms', bearer(readToken))).json()) as Drift;
    expect(full.report?.features.every((f) => f.histogram !== undefined && f.histogram.recent.reduce((a, b) => a + b, 0) === 3)).toBe(true);
    expect(full.report?.features.map(({ histogram: _h, ...rest }) => rest)).toEqual(summary.report?.features);
  });

  it('documents the guard in the OpenAPI document: the pipeline route needs it, the summary on request', async () => {
    const doc = (await (await get('/openapi.json')).json()) as { paths: Record<string, Record<string, { security?: unknown }>> };
    expect(doc.paths['/api/v1/models/{version}/pipeline'].get.security).toEqual([{ readToken: [] }]);
    expect(doc.paths['/api/v1/models/{version}'].get.security).toEqual([{}, { readToken: [] }]);
    expect(doc.paths['/api/v1/drift'].get.security).toEqual([{}, { readToken: [] }]);
    expect(doc.paths['/api/v1/models'].get.security).toBeUndefined();
  });
});

describe('patient data without tokens (loopback only)', () => {
  const fixture = useServer({});

  it('is open, as every other route', async () => {
    // (A bare ?include is a 400 here: the guard looks at the parameter's presence, the schema at its value.)
    for (const path of guarded.filter((p) => !p.includes('drift') && !p.endsWith('?include'))) expect((await fetch(`${fixture.base}${path}`)).status, path).toBe(200);
  });
});
