import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../http/server-fixture.js';
import { postJson, startServer } from '../http/server-fixture.js';
import { loadWdbc, readGolden } from '../helpers/wdbc.js';
import type { WatchedPage } from './browser.js';
import { dataAttribute, desktop, launchChromium, openDashboard, phone, screenshot, text } from './browser.js';

/*
 * Production monitoring in a real browser: predictions served, diagnoses confirmed later through
 * the API (as a pathology system would) and through the page, live recall next to the test split;
 * then inputs scaled by 1.3 and the drift report with its histograms; then a live recall that
 * falls below the threshold. One server, steps that build on each other. Drift compares the newest
 * 60 predictions of the day (monitor.driftMaxRows), so each step's inputs are exactly the ones it
 * sent, and a drift read recomputes the report when the last one is a second old.
 */

const wdbc = loadWdbc();
const { test_indices: testIndices } = readGolden<{ test_indices: number[] }>('default');
const rowOf = (i: number) => Array.from(wdbc.x.data.subarray(i * wdbc.x.cols, (i + 1) * wdbc.x.cols));

/** Live performance reaches the page within 5 s; drift at most every 15 s while inputs arrive. */
const live = { timeout: 15_000 };
const drift = { timeout: 30_000 };

interface LiveReport {
  confirmed: number;
  pending: number;
  minCases: number;
  versions: { modelVersion: number; confirmed: number; confirmedPositives: number; recall: number }[];
}
interface DriftReport {
  computedAt: string;
  report: null | { driftedCount: number; nFeatures: number; driftedShare: number; features: { feature: string; pAdjusted: number; psi: number; psiMajor: boolean; outOfRange: { below: number; above: number } }[] };
}

let browser: Browser;
let server: RunningServer;
let watched: WatchedPage;

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(`${server.base}${path}`);
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

async function predict(rows: number[][]): Promise<string[]> {
  const response = await postJson(`${server.base}/api/v1/predict`, { rows });
  expect(response.status).toBe(200);
  return ((await response.json()) as { predictions: { predictionId: string }[] }).predictions.map((p) => p.predictionId);
}

async function confirm(items: { predictionId: string; actual: string }[]): Promise<void> {
  const response = await postJson(`${server.base}/api/v1/feedback`, { items });
  expect(response.status).toBe(200);
}

beforeAll(async () => {
  browser = await launchChromium();
  server = await startServer({ config: { monitor: { driftWindow: '1d', driftMaxRows: 60, driftMinInterval: '1s', liveCurvesMinInterval: '1s' } } });
  // The browser logs the 409 of the conflicting confirmation the first test provokes.
  watched = await openDashboard(browser, server.base, desktop, /Failed to load resource: the server responded with a status of 409/);
});
afterAll(async () => {
  await watched?.close();
  await server?.close();
  await browser?.close();
});

describe('production monitoring on the dashboard', () => {
  it('shows live recall next to the test split as diagnoses are confirmed, through the API and the page', async () => {
    const { page } = watched;
    await page.locator('#active-version', { hasText: /^v1$/ }).waitFor();
    await page.locator('#live-counts[data-confirmed="0"][data-pending="0"]').waitFor();
    expect(await text(page, '#live-empty')).toContain('No confirmed diagnoses in the last 30d yet');
    await page.locator('#drift-headline[data-state="none"]').waitFor();
    expect(await text(page, '#drift-reason')).toBe('0 recent inputs, 30 needed');

    // The 114 test rows are predicted; pathology confirms 20 of them first.
    const ids = await predict(testIndices.map(rowOf));
    const truth = testIndices.map((i, k) => ({ predictionId: ids[k], actual: wdbc.y[i] }));
    await confirm(truth.slice(0, 20));
    const early = await getJson<LiveReport>('/api/v1/performance/live');
    const positives = early.versions[0].confirmedPositives;
    expect(positives).toBeLessThan(30);
    await page.locator('#live-counts[data-confirmed="20"][data-pending="94"]').waitFor(live);
    await page.locator('#live-table tr[data-version="1"][data-state="unjudged"]').waitFor();
    expect(await text(page, '#live-table tr[data-note-for="1"]')).toBe(`Not enough confirmed Malign cases to judge: ${positives} of 30 needed.`);
    expect(await text(page, '#live-table tr[data-version="1"] .test-value')).toBe('0.979');

    // The rest confirmed: live recall on the test rows is the test split's own, 47 of 48.
    await confirm(truth.slice(20));
    await page.locator('#live-counts[data-confirmed="114"][data-pending="0"]').waitFor(live);
    await page.locator('#live-table tr[data-version="1"][data-state="pass"]').waitFor();
    expect(await text(page, '#live-table tr[data-version="1"] .live-value')).toBe('0.979');
    expect(await text(page, '#live-table tr[data-version="1"] .test-value')).toBe('0.979');
    expect(await page.locator('#live-table tr.note-row').count()).toBe(0);
    expect(await text(page, '#live-confusion td[data-true="M"][data-predicted="B"]')).toBe('1');
    expect(await text(page, '#live-confusion td[data-true="M"][data-predicted="M"]')).toBe('47');
    // The live curves of the test rows are the test split's own: drawn over them, the same areas.
    await page.locator('#curves-view[data-live-rows="114"]').waitFor(live);
    for (const chart of ['#roc-M', '#pr-M']) {
      expect(await page.locator(`${chart} polyline.curve-live-line`).getAttribute('points')).toBe(await page.locator(`${chart} polyline.curve-line`).getAttribute('points'));
      expect(await page.locator(`${chart} circle.curve-live-point`).count()).toBe(1);
    }
    const areas = (await text(page, '#curves-view .curve-class[data-label="M"] p:first-child')).match(/ROC AUC (\S+) · average precision (\S+)/)?.slice(1);
    expect(await text(page, '#curves-view .curve-live-areas')).toBe(`· live: ROC AUC ${areas?.[0]} · average precision ${areas?.[1]}`);
    expect(await text(page, '#curves-view .curve-legend')).toMatch(/^test split · live: 114 confirmed cases, computed \d\d:\d\d:\d\d/);

    // The last 60 test rows against the training rows: judged, and no alarm.
    await page.locator('#drift-headline[data-state="ok"]').waitFor(drift);
    const calm = await getJson<DriftReport>('/api/v1/drift');
    expect(calm.report?.driftedShare).toBeLessThanOrEqual(0.3);
    expect(await text(page, '#drift-headline')).toContain(`${calm.report?.driftedCount} of 30 features drifted`);
    // The report says which inputs it compared, and when it was computed.
    await page.locator('#drift-sample[data-kind="newest"][data-rows="60"][data-window-rows="114"]').waitFor();
    expect(await text(page, '#drift-sample')).toMatch(/^The newest 60 of 114 recent inputs \(last 1d, since \d\d:\d\d:\d\d[^)]*\)$/);
    expect(await text(page, '#drift-computed')).toMatch(/^ ?Computed \d\d:\d\d:\d\d.*\.$/);
    // The page's report, or an older one (the read above may have computed a newer one).
    expect(Date.parse((await page.locator('#drift-computed time').getAttribute('datetime')) ?? '')).toBeLessThanOrEqual(Date.parse(calm.computedAt));

    // The page's own form: predict the malignant example, then confirm it from its prediction id.
    await page.locator('#fill-malignant').click();
    await page.locator('#predict-submit').click();
    await page.locator('#predict-answer', { hasText: 'Malign' }).waitFor();
    const predictionId = await text(page, '#predict-id');
    expect(await page.locator('#confirm-id').inputValue()).toBe(predictionId);
    await page.locator('#live-counts[data-confirmed="114"][data-pending="1"]').waitFor(live);
    await page.locator('#confirm-M').click();
    await page.locator('#confirm-result[data-status="recorded"]').waitFor();
    await page.locator('#live-counts[data-confirmed="115"][data-pending="0"]').waitFor(live);
    const after = await getJson<LiveReport>('/api/v1/performance/live');
    expect(await text(page, '#live-table tr[data-version="1"] .live-value')).toBe(after.versions[0].recall.toFixed(3));
    await page.locator('#confirm-M').click();
    await page.locator('#confirm-result[data-status="unchanged"]').waitFor();
    await page.locator('#confirm-B').click();
    await page.locator('#confirm-result[data-status="error"]', { hasText: 'was confirmed as M before' }).waitFor();
    await screenshot(page, 'desktop-monitoring-live');
    expect(watched.problems).toEqual([]);
  });

  it('reports drift for inputs scaled by 1.3, with a histogram per feature, and the check raises the alert', async () => {
    const { page } = watched;
    await predict(testIndices.slice(0, 60).map((i) => rowOf(i).map((v) => v * 1.3)));
    await page.locator('#drift-headline[data-state="drift"]').waitFor(drift);
    const { report } = await getJson<DriftReport>('/api/v1/drift');
    if (!report) throw new Error('no drift report for 60 recent inputs');
    expect(report.driftedShare).toBeGreaterThan(0.3);
    const percent = `${Math.round(report.driftedShare * 100)}%`;
    expect(await text(page, '#drift-headline')).toBe(`${report.driftedCount} of 30 features drifted (${percent}) — above the 30% alert threshold`);

    // The ten most drifted first (smallest adjusted p), each with its histograms; all 30 on request.
    const byP = [...report.features].sort((a, b) => a.pAdjusted - b.pAdjusted || b.psi - a.psi);
    const shown = 10;
    const rows = page.locator('#drift-table tbody tr');
    expect(await rows.count()).toBe(shown);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => (tr as unknown as { dataset: Record<string, string> }).dataset.feature))).toEqual(byP.slice(0, shown).map((f) => f.feature));
    expect(await page.locator('#drift-table svg.spark').count()).toBe(shown);
    expect(await page.locator('#drift-table tbody tr:first-child svg.spark rect.spark-reference').count()).toBe(10);
    expect(await page.locator('#drift-table svg.spark path.spark-recent').count()).toBe(shown);
    expect(await page.locator('#drift-table tr[data-drifted="true"] .badge').count()).toBe(Math.min(shown, report.driftedCount));
    const major = byP.slice(0, shown).filter((f) => f.psiMajor).length;
    expect(major).toBeGreaterThan(0);
    expect(await page.locator('#drift-table .psi-major').count()).toBe(major);
    // Scaled up, some values leave the training range upwards.
    const top = byP[0];
    if (top.outOfRange.above > 0) expect(await text(page, `#drift-table tr[data-feature="${top.feature}"]`)).toContain(`↑${top.outOfRange.above}`);

    await page.locator('#drift-toggle').click();
    await expect.poll(() => rows.count()).toBe(30);
    await page.locator('#drift-toggle').click();
    await expect.poll(() => rows.count()).toBe(shown);

    // The check judges the same inputs: data_drift fires and reads in words.
    expect((await fetch(`${server.base}/api/v1/jobs/check/run`, { method: 'POST' })).status).toBe(202);
    const alert = page.locator('#alerts-table tr[data-alert="data_drift"][data-status="firing"]');
    await alert.waitFor(live);
    expect(await text(page, '#alerts-table tr[data-alert="data_drift"]')).toContain(`Input data drift${report.driftedCount} of 30 features (${percent}) drifted, above 30% (v1, 60 inputs, last 1d): `);
    await page.locator('#runs-table tr[data-status="succeeded"]', { hasText: 'features drifted' }).waitFor(live);
    expect(await page.locator('#alerts-table tr[data-alert="live_recall_below_threshold"]').count()).toBe(0);
    await screenshot(page, 'desktop-monitoring-drift');
    expect(watched.problems).toEqual([]);

    const small = await openDashboard(browser, server.base, phone);
    try {
      await small.page.locator('#drift-headline[data-state="drift"]').waitFor();
      await small.page.locator('#live-table tr[data-state="pass"]').waitFor();
      await small.page.locator('#alerts-table tr[data-alert="data_drift"]').waitFor();
      await screenshot(small.page, 'phone-monitoring');
      expect(await small.page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      expect(small.problems).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('shows a live recall below the threshold, and the check raises its alert', async () => {
    const { page } = watched;
    // Forty benign training rows that pathology (in this test) reports as malignant: missed cases.
    const test = new Set(testIndices);
    const benign = [...wdbc.y.keys()].filter((i) => wdbc.y[i] === 'B' && !test.has(i)).slice(0, 40);
    const ids = await predict(benign.map(rowOf));
    await confirm(ids.map((predictionId) => ({ predictionId, actual: 'M' })));
    const report = await getJson<LiveReport>('/api/v1/performance/live');
    const recall = report.versions[0].recall;
    expect(recall).toBeLessThan(0.9);
    await page.locator('#live-table tr[data-version="1"][data-state="fail"]').waitFor(live);
    expect(await text(page, '#live-table tr[data-version="1"] .live-value')).toBe(recall.toFixed(3));
    expect(await dataAttribute(page, '#live-counts', 'pending')).toBe(String(report.pending));
    // The header turns red too: the test split still passes, production does not.
    await page.locator('#health[data-state="fail"]').waitFor();
    expect(await text(page, '#health-live')).toBe(`· live ${recall.toFixed(3)} < 0.9`);
    expect(await page.title()).toContain(`✗ mloop v1 · 0.979 · live ${recall.toFixed(3)}`);

    expect((await fetch(`${server.base}/api/v1/jobs/check/run`, { method: 'POST' })).status).toBe(202);
    await page.locator('#alerts-table tr[data-alert="live_recall_below_threshold"][data-status="firing"]').waitFor(live);
    expect(await text(page, '#alerts-table tr[data-alert="live_recall_below_threshold"]')).toContain(
      `Live recall below thresholdlive recall of Malign ${recall.toFixed(3)} < 0.9 (v1, ${report.versions[0].confirmedPositives} confirmed Malign cases, last 30d)`,
    );
    await screenshot(page, 'desktop-monitoring-live-alert');
    expect(watched.problems).toEqual([]);
  });

  it('plots live values from the history as a third series on the recall chart, when the API has them', async () => {
    // The history has no live rows yet (checks record only test-split values): two are added to
    // the real answer on the way to the page, as a later server may send them, just after the
    // training (before the alert bands, whose tint would change their colour).
    const { page } = watched;
    await page.route('**/api/v1/performance/history*', async (route) => {
      const response = await route.fetch();
      const [first, ...rest] = ((await response.json()) as { checks: { createdAt: string }[] }).checks;
      const at = (seconds: number) => new Date(Date.parse(first.createdAt) + seconds * 1000).toISOString();
      const liveRows = [0.95, 0.96].map((value, k) => ({ ...first, id: 10_000 + k, createdAt: at(k + 1), value, passed: true, source: 'live' }));
      await route.fulfill({ response, json: { checks: [first, ...liveRows, ...rest] } });
    });
    await page.reload();
    await expect.poll(() => dataAttribute(page, '#recall-chart', 'live'), live).toBe('2');
    expect(await text(page, '#recall-chart .u-legend')).toContain('live');
    const teal = await page.locator('#recall-chart canvas').evaluate((element) => {
      const canvas = element as unknown as { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 120 && Math.abs(data[i] - 13) < 16 && Math.abs(data[i + 1] - 148) < 16 && Math.abs(data[i + 2] - 136) < 16) n++;
      return n;
    });
    expect(teal).toBeGreaterThan(20);
    await screenshot(page, 'desktop-monitoring-live-series');
    await page.unroute('**/api/v1/performance/history*');
    expect(watched.problems).toEqual([]);
  });
});
