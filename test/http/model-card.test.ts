import { describe, expect, it } from 'vitest';
import { benignRow, malignRow, postJson, useServer } from './server-fixture.js';

const hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>';

/** The model card: one self-contained page (no script, no asset to load), every value escaped. */
describe('GET /api/v1/models/{v}/card.html', () => {
  const fixture = useServer({
    adminToken: 'admin-secret-0123456789',
    config: {
      dataset: { title: `Tumours ${hostile}`, intendedUse: `Second reader only. ${hostile}`, classNames: { M: `Malign ${hostile}`, B: 'Benign' } },
      training: { mode: 'gridsearch', grid: { C: [1, 10], gamma: [0.1, 'scale'] }, cv: 3 },
    },
  });
  const admin = { Authorization: 'Bearer admin-secret-0123456789' };

  it('shows intended use, lineage, parameters, grid search, test split, gate, live figures and drift, escaped', async () => {
    const { base } = fixture.server;
    await postJson(`${base}/api/v1/predict`, { rows: [malignRow, benignRow], externalIds: ['k-1', 'k-2'] });
    await postJson(`${base}/api/v1/feedback`, { items: [{ externalId: 'k-1', actual: 'M' }, { externalId: 'k-2', actual: 'M' }] }, admin);
    await postJson(`${base}/api/v1/feedback`, { externalId: 'k-2', actual: 'B', correct: true, reason: `re-read ${hostile}` }, admin);
    const model = (await (await fetch(`${base}/api/v1/models/1`)).json()) as { reportText: string; metrics: { confusionMatrix: number[][] }; gateVerdict: string; gridSearch: { candidates: unknown[] } };

    const response = await fetch(`${base}/api/v1/models/1/card.html`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const html = await response.text();

    for (const heading of ['Intended use', 'Data snapshot and lineage', 'Parameters', 'Grid search', 'Test-split evaluation', 'Promotion gate', 'Live performance', 'Drift', 'Review']) {
      expect(html).toContain(`<h2>${heading}</h2>`);
    }
    // Self-contained and inert: no script, no element that loads anything, no attribute from the data.
    const tags = [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g)];
    const allowed = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'header', 'section', 'h1', 'h2', 'h3', 'p', 'dl', 'dt', 'dd', 'code', 'pre', 'span', 'table', 'thead', 'tbody', 'tr', 'th', 'td']);
    expect(tags.map((t) => t[1]).filter((name) => !allowed.has(name))).toEqual([]);
    const attributes = tags.flatMap((t) => [...t[2].matchAll(/\s([a-zA-Z-]+)="[^"]*"/g)].map((a) => a[1]));
    expect(new Set(attributes)).toEqual(new Set(['lang', 'charset', 'name', 'content', 'class']));
    expect(html).toContain('Tumours &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('Second reader only. &lt;script&gt;');
    expect(html).toContain('Malign &lt;script&gt;');

    const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    expect(html).toContain(escape(model.reportText.trimEnd()));
    const [[tn, fp], [fn, tp]] = model.metrics.confusionMatrix;
    expect(html).toContain(`<tr><th>B</th><td class="num">${tn}</td><td class="num">${fp}</td></tr><tr><th>M</th><td class="num">${fn}</td><td class="num">${tp}</td></tr>`);
    expect(html).toContain(`<span class="passed">${model.gateVerdict}</span>`);
    expect(html.match(/<tr( class="best")?><td>(1|10)<\/td>/g)).toHaveLength(model.gridSearch.candidates.length);
    expect(html).toContain('2 cases confirmed by pathology');
    expect(html).toContain('No drift report for this version yet.');
    expect(html).toMatch(/Content hash \(SHA-256\)<\/dt><dd><code>[0-9a-f]{64}<\/code>/);
  });

  it('answers 404 for a version that does not exist', async () => {
    const response = await fetch(`${fixture.base}/api/v1/models/99/card.html`);
    expect(response.status).toBe(404);
  });
});
