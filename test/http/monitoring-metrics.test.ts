import { describe, expect, it } from 'vitest';
import { benignRow, malignRow, postJson, useServer } from './server-fixture.js';

const scrape = async (base: string) => (await fetch(`${base}/metrics`)).text();
const samples = (text: string, name: string) => text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));

/** Live recall, drift share and firing alerts as Prometheus series, so a Grafana setup can alert on them. */
describe('monitoring gauges on /metrics', () => {
  const fixture = useServer({ config: { monitor: { driftMinRows: 30, liveCurvesMinInterval: '1ms' } } });

  it('exposes nothing before there is anything to show', async () => {
    const text = await scrape(fixture.base);
    expect(samples(text, 'mloop_live_recall')).toEqual([]);
    expect(samples(text, 'mloop_live_roc_auc')).toEqual([]);
    expect(samples(text, 'mloop_drift_share')).toEqual([]);
    expect(samples(text, 'ALERTS')).toEqual([]);
    expect(text).toContain('# TYPE ALERTS gauge');
  });

  it('shows live recall per version, the drifted-feature share and each firing alert as ALERTS', async () => {
    const { base, app } = fixture.server;
    const version = app.registry.require().version;
    // Two malignant cases confirmed, one of them predicted benign: recall 0.5.
    await postJson(`${base}/api/v1/predict`, { rows: [malignRow, benignRow, benignRow], externalIds: ['c-1', 'c-2', 'c-3'] });
    await postJson(`${base}/api/v1/feedback`, { items: [{ externalId: 'c-1', actual: 'M' }, { externalId: 'c-2', actual: 'M' }, { externalId: 'c-3', actual: 'B' }] });
    // 40 rows far from the training data: every feature drifts.
    const shifted = Array.from({ length: 40 }, (_, i) => malignRow.map((v) => v * 3 + i * 1e-3));
    await postJson(`${base}/api/v1/predict`, { rows: shifted });
    const drift = await app.monitoring.computeDrift(1);
    expect(drift.report).not.toBeNull();
    await app.alerting.recall(version, app.registry.require().summary.snapshotId, 0.1);

    const text = await scrape(base);
    expect(samples(text, 'mloop_live_recall')).toEqual([`mloop_live_recall{model_version="${version}"} 0.5`]);
    expect(samples(text, 'mloop_live_confirmed_cases')).toEqual([`mloop_live_confirmed_cases{model_version="${version}"} 3`]);
    // Ranked by their decision value for M: c-1 first, then c-2 (M) and c-3 (B) tied, the same row.
    // ROC AUC: c-1 above c-3 (1), c-2 tied with c-3 (1/2): 0.75. Average precision: 1/2 · 1 + 1/2 · 2/3.
    expect(samples(text, 'mloop_live_roc_auc')).toEqual([`mloop_live_roc_auc{model_version="${version}",class="M"} 0.75`]);
    expect(samples(text, 'mloop_live_average_precision')).toEqual([`mloop_live_average_precision{model_version="${version}",class="M"} ${0.5 + 0.5 * (2 / 3)}`]);
    expect(drift.report?.driftedShare).toBeGreaterThan(0.5);
    expect(samples(text, 'mloop_drift_share')).toEqual([`mloop_drift_share{model_version="${version}"} ${drift.report?.driftedShare}`]);
    const alerts = samples(text, 'ALERTS');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatch(/^ALERTS\{.*alertname="recall_below_threshold".*alertstate="firing".*\} 1$/);
    expect(alerts[0]).toContain('metric="recall"');
  });
});
