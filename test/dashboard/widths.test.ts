import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../http/server-fixture.js';
import { postJson, startServer } from '../http/server-fixture.js';
import { chartPixels, dataAttribute, launchChromium, openDashboard, screenshot, text } from './browser.js';

/**
 * Each view of the dashboard at a laptop's 1400 px, a tablet's 820 px and a phone's 390 px, with a
 * firing alert, several runs and a prediction outside the training range: nothing wider than the
 * screen, no table that scrolls sideways, the configured title. Screenshots go to
 * test-results/dashboard (CI prints them).
 */
const widths = [
  { name: 'laptop-1400', viewport: { width: 1400, height: 900 } },
  { name: 'tablet-820', viewport: { width: 820, height: 1180 } },
  { name: 'phone-390', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
] as const;

let browser: Browser;
let server: RunningServer;
beforeAll(async () => {
  browser = await launchChromium();
  server = await startServer({ config: { dataset: { title: 'Breast biopsy <triage>', units: { radius_mean: 'px', area_mean: 'px²' } } } });
  // A rejected basic training (a firing alert) and nine checks (more runs than the page lists).
  expect((await postJson(`${server.base}/api/v1/train`, { mode: 'basic' })).status).toBe(202);
  for (let i = 0; i < 40 && (await server.app.registry.list(10, 0)).length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 250));
  for (let i = 0; i < 9; i++) {
    const started = await postJson(`${server.base}/api/v1/jobs/check/run`, {});
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: number };
    for (let k = 0; k < 40; k++) {
      const run = (await (await fetch(`${server.base}/api/v1/runs/${runId}`)).json()) as { status: string };
      if (run.status !== 'queued' && run.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the dashboard at 1400, 820 and 390 px', () => {
  for (const options of widths) {
    it(`fits ${options.name}: the title from dataset.title, no sideways scrolling, readable chart, all runs on request`, async () => {
      const watched = await openDashboard(browser, server.base, options);
      const { page } = watched;
      try {
        await page.locator('#alerts-table tr[data-alert="model_rejected"][data-status="firing"]').waitFor();
        await expect.poll(() => dataAttribute(page, '#recall-chart', 'alerts')).toBe('1');
        await screenshot(page, `widths-${options.name}`);
        expect(await text(page, '#subtitle')).toBe('Breast biopsy <triage> · model health');

        // The form shows each feature's training range, and the answer flags a value far outside it.
        // In its unit where dataset.units states one, on screen at every width.
        expect(await text(page, 'input[name="radius_mean"] + .feature-range')).toMatch(/^[\d.]+ – [\d.]+ px$/);
        expect(await text(page, 'input[name="area_mean"] + .feature-range')).toMatch(/^[\d.]+ – [\d.]+ px²$/);
        expect(await text(page, 'input[name="texture_mean"] + .feature-range')).toMatch(/^[\d.]+ – [\d.]+$/);
        const hint = await page.locator('input[name="radius_mean"] + .feature-range').boundingBox();
        expect(hint && hint.x >= 0 && hint.x + hint.width <= options.viewport.width, `the units hint at ${JSON.stringify(hint)}`).toBe(true);
        await page.locator('#fill-malignant').click();
        await page.locator('input[name="radius_mean"]').fill('1000000000');
        await page.locator('#predict-submit').click();
        await page.locator('#predict-out-of-range').waitFor();
        expect(await text(page, '#predict-out-of-range')).toMatch(/radius_mean = 1.*trained on [\d.]+ – [\d.]+ px\)/);

        // Runs: the newest 8, then all of them on request.
        expect(await page.locator('#runs-table tbody tr').count()).toBe(8);
        await page.locator('#runs-show-all').click();
        await expect.poll(() => page.locator('#runs-table tbody tr').count()).toBeGreaterThan(8);

        const { width } = options.viewport;
        expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
        // The alerts and live tables never scroll sideways: their wrappers are as wide as their tables.
        for (const id of ['alerts', 'live']) {
          const overflow = await page.evaluate<number>(`(() => { const e = document.getElementById('${id}'); return e ? e.scrollWidth - e.clientWidth : 0; })()`);
          expect(overflow, `#${id} scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(1);
        }
        // Nor any other shown table (the active model's input features opened too) (the versions and runs lists, the classification report at 820 px):
        // a column out of sight is a column a reader misses.
        await page.locator('#features summary').click();
        const scrolling = await page.evaluate<string[]>(
          `[...document.querySelectorAll('.card *')].filter((e) => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)).map((e) => (e.closest('.card').getAttribute('aria-labelledby') ?? e.closest('.card').id) + ' ' + (e.scrollWidth - e.clientWidth) + ' px')`,
        );
        expect(scrolling, 'tables that scroll sideways').toEqual([]);
        expect((await chartPixels(page)).training).toBeGreaterThan(20);
        await screenshot(page, `widths-${options.name}`);
        expect(watched.problems).toEqual([]);
      } finally {
        await watched.close();
      }
    });
  }
});
