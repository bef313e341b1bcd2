import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../http/server-fixture.js';
import { benignRow, malignRow, postJson, startServer } from '../http/server-fixture.js';
import type { WatchedPage } from './browser.js';
import { chartPixels, dataAttribute, desktop, launchChromium, openDashboard, phone, screenshot, text } from './browser.js';

/*
 * The dashboard in a real browser against a real server, the way a data team uses it: one session
 * whose steps build on each other (a grid search becomes v2, a rejected basic training v3), then
 * a second server that requires the admin token.
 */

const waitOptions = { timeout: 15_000 };

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('the dashboard of a running server', () => {
  let server: RunningServer;
  let watched: WatchedPage;

  beforeAll(async () => {
    server = await startServer();
    watched = await openDashboard(browser, server.base);
  });
  afterAll(async () => {
    await watched?.close();
    await server?.close();
  });

  it('shows the active model, its recall against the threshold, a drawn chart and its evaluation', async () => {
    const { page } = watched;
    await page.locator('#active-version', { hasText: /^v1$/ }).waitFor();
    expect(await dataAttribute(page, '#health', 'state')).toBe('pass');
    expect(await text(page, '#health-text')).toContain('Model v1 serving');
    expect(await dataAttribute(page, '#monitored', 'state')).toBe('pass');
    expect(await text(page, '#monitored .recall-value')).toBe('0.979');
    expect(await text(page, '#monitored')).toContain('recall of M');
    expect(await text(page, '#model')).toContain('normalized');
    expect(await text(page, '#model')).toContain('snapshot #1 · 569 rows');

    // uPlot drew: its canvas is there and holds the training point (blue) and the threshold (red).
    expect(await dataAttribute(page, '#recall-chart', 'points')).toBe('1');
    const pixels = await chartPixels(page);
    expect(pixels.width).toBeGreaterThan(300);
    expect(pixels.training).toBeGreaterThan(20);
    expect(pixels.threshold).toBeGreaterThan(50);

    // The confusion matrix, labelled, with the one missed malignant tumour of the test split.
    expect(await text(page, '#confusion-table thead')).toMatch(/Benign\s*Malign/);
    expect(await text(page, '#confusion-table td[data-true="B"][data-predicted="B"]')).toBe('66');
    expect(await text(page, '#confusion-table td[data-true="M"][data-predicted="B"]')).toBe('1');
    expect(await text(page, '#confusion-table td[data-true="M"][data-predicted="M"]')).toBe('47');
    // ROC and precision-recall of M, drawn with the operating point ringed, and their areas.
    expect(await page.locator('#roc-M polyline.curve-line').count()).toBe(1);
    expect(await page.locator('#roc-M circle.curve-point').count()).toBe(1);
    expect(await page.locator('#pr-M circle.curve-point').count()).toBe(1);
    expect(await text(page, '#curves-view')).toMatch(/Malign \(M\) · ROC AUC 0\.99\d · average precision 0\.99\d/);
    expect(await text(page, '#curves-view')).toContain('At decision threshold 0 (the ring): recall 0.979');
    expect(await text(page, '#report-table .monitored')).toBe('0.979');
    expect(await text(page, '#report-table')).toContain('Malign (M)');

    expect(await text(page, '#snapshots-table')).toContain('569');
    expect(await text(page, '#grid-search')).toContain('No grid search yet');
    expect(await page.locator('#models-table tbody tr').count()).toBe(1);
    await screenshot(page, 'desktop-start');
    expect(watched.problems).toEqual([]);
  });

  it('predicts the example rows and shows the decision value', async () => {
    const { page } = watched;
    expect(await page.locator('#predict-form input.feature-input').count()).toBe(30);
    for (const [button, row, className] of [
      ['#fill-malignant', malignRow, 'Malign'],
      ['#fill-benign', benignRow, 'Benign'],
    ] as const) {
      await page.locator(button).click();
      await page.locator('#predict-submit').click();
      await page.locator('#predict-answer', { hasText: className }).waitFor();
      const expected = (await (await postJson(`${server.base}/api/v1/predict`, { row })).json()) as { predictions: { decision: number }[] };
      const decision = Number(await text(page, '#predict-decision'));
      expect(decision).toBeCloseTo(expected.predictions[0].decision, 4);
      // Each class's probability as a bar, the predicted class's the longer one.
      const bars = page.locator('#predict-probabilities tr');
      expect(await bars.count()).toBe(2);
      const predicted = await page.locator('#predict-probabilities tr.predicted .probability-bar').getAttribute('aria-valuenow');
      expect(Number(predicted)).toBeGreaterThan(0.5);
      expect(Math.sign(decision)).toBe(className === 'Malign' ? 1 : -1);
    }
    expect(watched.problems).toEqual([]);
  });

  it('trains a grid search and follows its progress until 80/80 and succeeded', async () => {
    const { page } = watched;
    // Record every state the runs table shows, to see the run under way and not only its end.
    await page.evaluate(`window.seenRuns = new Set(); new MutationObserver(() => document.querySelectorAll('#runs-table tr[data-run]').forEach((tr) => window.seenRuns.add(tr.dataset.run + ':' + tr.dataset.status))).observe(document.getElementById('runs'), { childList: true, subtree: true })`);
    await page.locator('#train-mode').selectOption('gridsearch');
    await page.locator('#train').click();
    const done = page.locator('#runs-table tr[data-status="succeeded"]', { hasText: 'train gridsearch' });
    await done.filter({ hasText: '80/80' }).waitFor();
    const runId = await done.getAttribute('data-run');
    const seen = await page.evaluate<string[]>('[...window.seenRuns]');
    expect(seen.some((s) => s === `${runId}:queued` || s === `${runId}:running`)).toBe(true);

    // The new version passed the gate and serves; its grid shows as a heat map.
    await page.locator('#active-version', { hasText: /^v2$/ }).waitFor();
    await page.locator('#heatmap-table').waitFor();
    expect(await page.locator('#heatmap-table td.heat-cell').count()).toBe(16);
    expect(await page.locator('#heatmap-table td.heat-best').count()).toBe(1);
    const model = (await (await fetch(`${server.base}/api/v1/models/2`)).json()) as { gridSearch: { bestParams: { C: number; gamma: number } } };
    expect(await text(page, '#grid-search .heat-best-text')).toContain(`C = ${model.gridSearch.bestParams.C}, γ = ${model.gridSearch.bestParams.gamma}`);
    expect(await text(page, '#model')).toContain('best of 16 by 5-fold CV');
    await expect.poll(() => dataAttribute(page, '#recall-chart', 'points'), waitOptions).toBe('2');
    await screenshot(page, 'desktop-gridsearch');
    expect(watched.problems).toEqual([]);
  });

  it('rolls back and promotes, the active version changing in the page', async () => {
    const { page } = watched;
    await page.locator('#rollback').click();
    await page.locator('#active-version', { hasText: /^v1$/ }).waitFor();
    await page.locator('#health-text', { hasText: 'Model v1 serving' }).waitFor();
    await page.locator('#models-table tr[data-version="2"] button.promote').click();
    await page.locator('#active-version', { hasText: /^v2$/ }).waitFor();
    expect(await dataAttribute(page, '#models-table tr[data-version="1"]', 'serving')).toBe('retired');
    expect(await dataAttribute(page, '#models-table tr[data-version="1"]', 'verdict')).toBe('passed');
    await page.locator('#audit-table tr[data-action="promotion"]', { hasText: 'v1 → v2' }).waitFor();
    expect(await text(page, '#audit-table tr[data-action="rollback"]')).toContain('v2 → v1');
    expect(await text(page, '#action-status')).toContain('v2 is now the active model');
    expect(watched.problems).toEqual([]);
  });

  it('shows a rejected training as a firing alert, and picks up changes made elsewhere', async () => {
    const { page } = watched;
    await page.locator('#train-mode').selectOption('basic');
    await page.locator('#train').click();
    // Recall of M 0.833 < 0.9: the gate rejects v3, v2 keeps serving, model_rejected fires.
    await page.locator('#models-table tr[data-version="3"][data-verdict="rejected"][data-serving="candidate"]').waitFor();
    await page.locator('#alerts-table tr[data-alert="model_rejected"][data-status="firing"]').waitFor();
    expect(await text(page, '#alerts-table')).toContain('v3: recall of M 0.8333 is below the threshold 0.9');
    expect(await text(page, '#alert-count')).toBe('1 alert firing');
    expect(await text(page, '#active-version')).toBe('v2');
    await expect.poll(() => dataAttribute(page, '#recall-chart', 'alerts'), waitOptions).toBe('1');
    expect(await dataAttribute(page, '#recall-chart', 'points')).toBe('3');

    // A check started by someone else (curl, the scheduler) reaches the open page by itself.
    expect((await fetch(`${server.base}/api/v1/jobs/check/run`, { method: 'POST' })).status).toBe(202);
    await expect.poll(() => dataAttribute(page, '#recall-chart', 'points'), waitOptions).toBe('4');
    await page.locator('#runs-table tr[data-status="succeeded"]', { hasText: 'check' }).waitFor();
    await screenshot(page, 'desktop-alert');
    expect(watched.problems).toEqual([]);

    // The same state on a phone: one column, nothing wider than the screen.
    const small = await openDashboard(browser, server.base, phone);
    try {
      await small.page.locator('#alerts-table tr[data-status="firing"]').waitFor();
      await small.page.locator('#heatmap-table').waitFor();
      await screenshot(small.page, 'phone');
      expect(await small.page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      expect((await chartPixels(small.page)).training).toBeGreaterThan(20);
      expect(small.problems).toEqual([]);
    } finally {
      await small.close();
    }
  });
});

describe('forced promotions, the audit log and silences on the dashboard', () => {
  let server: RunningServer;
  let watched: WatchedPage;

  beforeAll(async () => {
    server = await startServer();
    // v2: normalized C=0.3 passes 0.9 but finds fewer malignant tumours than v1 on the same rows.
    const started = (await (await postJson(`${server.base}/api/v1/train`, { mode: 'normalized', C: 0.3 })).json()) as { runId: number };
    await server.app.trainings.settled();
    expect((await server.app.runs.get(started.runId)).status).toBe('succeeded');
    // The browser logs the 409 that tells the page a promotion needs force; it is expected.
    watched = await openDashboard(browser, server.base, desktop, /Failed to load resource: the server responded with a status of 409/);
  });
  afterAll(async () => {
    await watched?.close();
    await server?.close();
  });

  it('shows the gate verdict apart from the serving status, and asks for a reason before forcing a rejected version in', async () => {
    const { page } = watched;
    const v2 = page.locator('#models-table tr[data-version="2"][data-verdict="rejected"][data-serving="candidate"]');
    await v2.waitFor();
    expect(await text(page, '#models-table tr[data-version="2"] td.reason')).toBe("recall of M 0.9167 < champion v1's 0.9792 on the same 114 rows: rejected by the promotion gate, v1 stays active");

    // Cancelling the reason changes nothing.
    await v2.locator('button.promote').click();
    await page.locator('#reason-dialog[open]').waitFor();
    expect(await text(page, '#reason-message')).toMatch(/^v2 was rejected by the promotion gate \(recall of M 0\.9167 < champion v1's 0\.9792/);
    await page.locator('#reason-dialog').getByRole('button', { name: 'Cancel' }).click();
    await page.locator('#action-status', { hasText: 'cancelled, nothing changed' }).waitFor();
    expect(await text(page, '#active-version')).toBe('v1');

    await v2.locator('button.promote').click();
    await page.locator('#reason-input').fill('second opinion on the new scanner');
    await screenshot(page, 'desktop-force-dialog');
    await page.locator('#reason-ok').click();
    await page.locator('#active-version', { hasText: /^v2$/ }).waitFor();
    await page.locator('#models-table tr[data-version="2"][data-verdict="rejected"][data-serving="active"]').waitFor();
    expect(await text(page, '#model .model-head')).toContain('gate: rejected');
    const forced = page.locator('#audit-table tr[data-action="forced_promotion"]');
    await forced.waitFor();
    expect(await text(page, '#audit-table tr[data-action="forced_promotion"]')).toMatch(/forced promotion\s*v1 → v2\s*admin\s*second opinion on the new scanner/);
    expect(await page.locator('#audit-table tbody tr').count()).toBe(2);
    expect(watched.problems).toEqual([]);
  });

  it('silences a firing alert for a chosen time, shows it muted, and expires the silence', async () => {
    const { page } = watched;
    // A rejected training (basic, recall of M 0.833 < 0.9) fires an alert to silence.
    expect((await postJson(`${server.base}/api/v1/train`, { mode: 'basic' })).status).toBe(202);
    const row = page.locator('#alerts-table tr[data-alert="model_rejected"][data-status="firing"]');
    await row.waitFor(waitOptions);
    expect(await dataAttribute(page, '#alerts-table tr[data-alert="model_rejected"][data-status="firing"]', 'silenced')).toBe('false');
    await row.locator('button.silence').click();
    await page.locator('#reason-dialog[open]').waitFor();
    expect(await text(page, '#reason-message')).toContain('alertname="model_rejected"');
    await page.locator('#reason-duration').selectOption('4h');
    await page.locator('#reason-input').fill('retraining all afternoon');
    await page.locator('#reason-ok').click();
    await page.locator('#alerts-table tr[data-alert="model_rejected"][data-status="firing"][data-silenced="true"]').waitFor();
    expect(await text(page, '#alerts-table tr[data-silenced="true"] .silenced')).toMatch(/^notifications muted by silence #\d+$/);
    const [silence] = (await (await fetch(`${server.base}/api/v1/silences?state=active`)).json() as { silences: { id: number; startsAt: string; endsAt: string; reason: string }[] }).silences;
    expect(Date.parse(silence.endsAt) - Date.parse(silence.startsAt)).toBe(4 * 3_600_000);
    expect(silence.reason).toBe('retraining all afternoon');
    expect(await text(page, `#silences-table tr[data-silence="${silence.id}"]`)).toContain('alertname="model_rejected"');
    await screenshot(page, 'desktop-silence');

    await page.locator(`#silences-table tr[data-silence="${silence.id}"] button.expire`).click();
    await page.locator('#alerts-table tr[data-alert="model_rejected"][data-status="firing"][data-silenced="false"]').waitFor();
    expect(await page.locator('#silences-table').count()).toBe(0);
    expect(await text(page, '#action-status')).toContain(`Silence #${silence.id} has ended`);
    expect(watched.problems).toEqual([]);
  });
});

describe('the dashboard of a server with tokens', () => {
  const token = 'dashboard-test-token';
  const predictToken = 'dashboard-predict-token';
  let server: RunningServer;
  let watched: WatchedPage;

  beforeAll(async () => {
    server = await startServer({ adminToken: token, predictToken, bootstrap: false });
    // The browser logs the 401 and 403 answers it is made to provoke here; those are expected.
    watched = await openDashboard(browser, server.base, desktop, /Failed to load resource: the server responded with a status of 40[13]/);
  });
  afterAll(async () => {
    await watched?.close();
    await server?.close();
  });

  it('starts empty, asks for each token once, keeps them in session storage only, and trains and predicts', async () => {
    const { page } = watched;
    await page.locator('#health[data-state="none"]').waitFor();
    expect(await text(page, '#model')).toContain('No model is active yet');
    await page.evaluate(`window.tokenPrompts = 0; new MutationObserver(() => { if (document.getElementById('token-dialog').open) window.tokenPrompts++; }).observe(document.getElementById('token-dialog'), { attributes: true, attributeFilter: ['open'] })`);

    await page.locator('#update-data').click();
    const dialog = page.locator('#token-dialog');
    await dialog.waitFor();
    expect(await text(page, '#token-message')).toContain('requires the admin token');
    await page.locator('#token-input').fill('wrong-token');
    await page.locator('#token-ok').click();
    await page.locator('#token-message', { hasText: 'refused' }).waitFor();
    await page.locator('#token-input').fill(token);
    await screenshot(page, 'desktop-token-dialog');
    await page.locator('#token-ok').click();
    await page.locator('#action-status', { hasText: 'snapshot #1' }).waitFor();
    await page.locator('#snapshots-table tr[data-snapshot="1"]').waitFor();
    expect(await page.evaluate<string | null>(`sessionStorage.getItem('mloop.adminToken')`)).toBe(token);
    expect(await page.evaluate<number>('localStorage.length')).toBe(0);
    await page.locator('#token-state').waitFor();

    await page.locator('#train-mode').selectOption('normalized');
    await page.locator('#train').click();
    await page.locator('#active-version', { hasText: /^v1$/ }).waitFor();
    await page.locator('#health[data-state="pass"]').waitFor();
    expect(await page.evaluate<number>('window.tokenPrompts')).toBe(2);
    expect(await page.title()).toBe('✓ mloop v1 · 0.979');

    // Predictions need the other token, asked for by name.
    await page.locator('#fill-malignant').click();
    await page.locator('#predict-submit').click();
    await page.locator('#token-title', { hasText: 'Prediction token required' }).waitFor();
    await page.locator('#token-input').fill(predictToken);
    await page.locator('#token-ok').click();
    await page.locator('#predict-answer', { hasText: 'Malign' }).waitFor();
    expect(await page.evaluate<string | null>(`sessionStorage.getItem('mloop.predictToken')`)).toBe(predictToken);
    expect(await page.evaluate<number>('window.tokenPrompts')).toBe(3);

    // Forgetting the token makes the next admin action ask again; cancelling does nothing.
    await page.locator('#forget-token').click();
    await page.locator('#check').click();
    await dialog.waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('#action-status', { hasText: 'cancelled' }).waitFor();
    expect(await page.evaluate<number>('window.tokenPrompts')).toBe(4);
    expect(watched.problems).toEqual([]);
  });
});

describe('the dashboard of a server that guards patient data', () => {
  const adminToken = 'dashboard-admin-token-0123';
  const readToken = 'dashboard-read-token-0123';
  let server: RunningServer;
  let watched: WatchedPage;

  beforeAll(async () => {
    server = await startServer({ adminToken, readToken, config: { monitor: { driftMinRows: 2 } } });
    expect((await postJson(`${server.base}/api/v1/predict`, { rows: [malignRow, benignRow, malignRow] })).status).toBe(200);
    // The first drift read asks for the histograms and gets 401: expected.
    watched = await openDashboard(browser, server.base, desktop, /Failed to load resource: the server responded with a status of 401/);
  });
  afterAll(async () => {
    await watched?.close();
    await server?.close();
  });

  it('shows the model, the prediction form and the drift tests without a token, and the histograms once given the read token', async () => {
    const { page } = watched;
    await page.locator('#health[data-state="pass"]').waitFor(waitOptions);
    expect(await text(page, '#active-version')).toBe('v1');
    expect(await page.locator('#predict-form input.feature-input').count()).toBe(30);
    await page.locator('#drift-table tbody tr').first().waitFor(waitOptions);
    expect(await page.locator('#drift-table tbody tr').count()).toBe(10);
    expect(await page.locator('#drift-table svg.spark').count()).toBe(0);
    expect(await page.locator('#offline').isHidden()).toBe(true);

    await page.locator('#drift-histograms').click();
    await page.locator('#token-title', { hasText: 'Read token required' }).waitFor();
    expect(await text(page, '#token-message')).toContain('requires the read token (or the admin token)');
    await page.locator('#token-input').fill(readToken);
    await page.locator('#token-ok').click();
    await page.locator('#drift-table svg.spark').first().waitFor(waitOptions);
    expect(await page.locator('#drift-table svg.spark').count()).toBe(10);
    expect(await page.locator('#drift-histograms').count()).toBe(0);
    expect(await page.evaluate<string | null>(`sessionStorage.getItem('mloop.readToken')`)).toBe(readToken);
    expect(watched.problems).toEqual([]);
  });
});

describe('the dashboard of a server with its own class names and a stricter threshold', () => {
  let server: RunningServer;
  let watched: WatchedPage;

  beforeAll(async () => {
    server = await startServer({ config: { dataset: { classNames: { M: 'Malignant tumour', B: 'Benign' } }, monitor: { threshold: 0.99, serveBelowThreshold: true } } });
    watched = await openDashboard(browser, server.base);
  });
  afterAll(async () => {
    await watched?.close();
    await server?.close();
  });

  it("names the classes with the configuration's words and shows the server's verdict", async () => {
    const { page } = watched;
    await page.locator('#active-version', { hasText: /^v1$/ }).waitFor();
    // Recall of M 0.979 is below 0.99: the first model serves (serveBelowThreshold), and every view says it fails.
    expect(await dataAttribute(page, '#health', 'state')).toBe('fail');
    expect(await text(page, '#health-text')).toContain('recall of M 0.979 < 0.99 · below threshold');
    expect(await dataAttribute(page, '#monitored', 'state')).toBe('fail');
    expect(await text(page, '#monitored')).toContain('✗ below the threshold 0.99');
    expect(await page.locator('#models-table tr[data-version="1"] td.bad').count()).toBe(1);

    expect(await text(page, '#confusion-table thead')).toMatch(/Benign\s*Malignant tumour/);
    expect(await text(page, '#confusion')).toContain('1 Malignant tumour predicted Benign (missed)');
    expect(await text(page, '#report-table')).toContain('Malignant tumour (M)');
    expect(await text(page, '#confirm-M')).toBe('Malignant tumour (M)');
    expect(await text(page, '#confirm-B')).toBe('Benign (B)');

    // One confirmed malignant case: the live card names the class the same way.
    const predicted = (await (await postJson(`${server.base}/api/v1/predict`, { row: malignRow })).json()) as { predictions: { predictionId: string }[] };
    expect((await postJson(`${server.base}/api/v1/feedback`, { predictionId: predicted.predictions[0].predictionId, actual: 'M' })).status).toBe(200);
    await page.locator('#live-table tr[data-version="1"][data-state="unjudged"]').waitFor(waitOptions);
    expect(await text(page, '#live-table tr[data-note-for="1"]')).toBe('Not enough confirmed Malignant tumour cases to judge: 1 of 30 needed.');
    expect(await text(page, '#live')).toContain('judged from 30 confirmed Malignant tumour cases');
    await screenshot(page, 'desktop-class-names');
    expect(watched.problems).toEqual([]);
  });
});
