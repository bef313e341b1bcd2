import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../http/server-fixture.js';
import { benignRow, getJson, malignRow, postJson, startServer } from '../http/server-fixture.js';
import type { WatchedPage } from './browser.js';
import { desktop, launchChromium, openDashboard, screenshot, text } from './browser.js';

/*
 * The threshold editor on the curves card, in a real browser against a real server that requires
 * the admin token: an admin moves the threshold, sees the server's figures for the test split and
 * the live cases change and the what-if point move, saves, and sees the new version with the gate's
 * verdict.
 */

interface Figures {
  rows: number;
  recall: number | null;
  specificity: number | null;
  precision: number | null;
  accuracy: number | null;
}
interface WhatIf {
  testSplit: Figures;
  live: Figures;
}

const adminToken = 'threshold-editor-admin-token';
let browser: Browser;
let server: RunningServer;
let watched: WatchedPage;

beforeAll(async () => {
  browser = await launchChromium();
  server = await startServer({ adminToken });
  // A few confirmed cases, so that the live column has figures.
  const answer = (await (await postJson(`${server.base}/api/v1/predict`, { rows: [malignRow, benignRow, malignRow] })).json()) as { predictions: { predictionId: string }[] };
  const items = answer.predictions.map((p, i) => ({ predictionId: p.predictionId, actual: i === 1 ? 'B' : 'M' }));
  expect((await postJson(`${server.base}/api/v1/feedback`, { items }, { authorization: `Bearer ${adminToken}` })).status).toBe(200);
  watched = await openDashboard(browser, server.base, desktop, /Failed to load resource: the server responded with a status of 401/);
});
afterAll(async () => {
  await watched?.close();
  await server?.close();
  await browser?.close();
});

/** The page's figures at the threshold it shows: test split and live, as the table renders them. */
async function shownFigures(page: WatchedPage['page']): Promise<Record<string, string[]>> {
  const shown: Record<string, string[]> = {};
  for (const which of ['testSplit', 'live']) {
    shown[which] = await page.locator(`#threshold-figures td[data-rows="${which}"]`).allTextContents();
  }
  return shown;
}

/** The server's figures at `t`, as the page formats them (three decimals). */
async function serverFigures(t: number): Promise<Record<string, string[]>> {
  const whatIf = await getJson<WhatIf>(`${server.base}/api/v1/models/1/threshold?at=${t}`);
  const column = (f: Figures) => [f.recall, f.specificity, f.precision, f.accuracy].map((v) => (v === null ? 'n/a' : v.toFixed(3)));
  return { testSplit: column(whatIf.testSplit), live: column(whatIf.live) };
}

const markerAt = (page: WatchedPage['page'], id: string) => page.locator(`#${id}`).evaluate((c) => [c.getAttribute('cx'), c.getAttribute('cy')]);

describe('the threshold editor', () => {
  it('shows what a moved threshold gives on the test split and live cases, saves it, and shows the verdict', async () => {
    const { page } = watched;
    await page.locator('#active-version', { hasText: /^v1$/ }).waitFor();
    await page.locator('#threshold-figures[data-threshold="0"]').waitFor();
    const atZero = await shownFigures(page);
    expect(atZero.testSplit.slice(0, 4)).toEqual((await serverFigures(0)).testSplit);
    expect(atZero.live.slice(0, 4)).toEqual((await serverFigures(0)).live);
    const rocAtZero = await markerAt(page, 'roc-what-if');
    expect(await page.locator('#threshold-save').isDisabled()).toBe(true);

    // Moved on the slider: the figures and the point follow.
    await page.locator('#threshold-range').fill('-0.5');
    await page.locator('#threshold-figures[data-threshold="-0.5"]').waitFor();
    const moved = await shownFigures(page);
    const expected = await serverFigures(-0.5);
    expect(moved.testSplit.slice(0, 4)).toEqual(expected.testSplit);
    expect(moved.live.slice(0, 4)).toEqual(expected.live);
    expect(moved.testSplit).not.toEqual(atZero.testSplit);
    expect(await markerAt(page, 'roc-what-if')).not.toEqual(rocAtZero);
    expect(await page.locator('#pr-what-if').count()).toBe(1);
    await screenshot(page, 'desktop-threshold-editor');

    // Saved: a reason, the admin token, then the gate's verdict and the new version serving.
    await page.locator('#threshold-save').click();
    await page.locator('#reason-dialog[open]').waitFor();
    expect(await text(page, '#reason-title')).toBe('Save v1 at threshold -0.5?');
    await page.locator('#reason-input').fill('miss no malignant case');
    await page.locator('#reason-ok').click();
    await page.locator('#token-dialog[open]').waitFor();
    await page.locator('#token-input').fill(adminToken);
    await page.locator('#token-ok').click();
    await page.locator('#threshold-verdict[data-verdict="passed"]').waitFor();
    expect(await text(page, '#threshold-verdict')).toBe("v2 passed · now serving: recall of M 1.0000 >= champion v1's 0.9792 on the same 114 rows: passed the promotion gate, it replaces v1");
    await page.locator('#active-version', { hasText: /^v2$/ }).waitFor();
    await page.locator('#models-table tr[data-version="2"]').waitFor();
    // The editor now edits v2, which applies -0.5.
    await page.locator('#threshold-figures[data-threshold="-0.5"]').waitFor();
    expect(await page.locator('#threshold-save').isDisabled()).toBe(true);

    // The prediction form says which threshold decided its answer.
    await page.locator('#fill-malignant').click();
    await page.locator('#predict-submit').click();
    await page.locator('#predict-threshold[data-threshold="-0.5"]').waitFor();
    expect(await text(page, '#predict-threshold')).toMatch(/^decided at threshold -0\.5: Malign when its score/);
    expect(watched.problems).toEqual([]);
  });
});
