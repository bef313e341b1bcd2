import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

/** Debian's Chromium: CI installs it, so its absence is a failure, not a reason to skip. */
export const chromiumPath = '/usr/bin/chromium';
export const screenshotDir = 'test-results/dashboard';

export const desktop: BrowserContextOptions = { viewport: { width: 1366, height: 900 } };
export const phone: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`the dashboard tests drive Debian's Chromium at ${chromiumPath}, which is missing: install it (apt-get install chromium); CI installs it`);
  }
  await mkdir(screenshotDir, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  });
}

export interface WatchedPage {
  readonly page: Page;
  /** Console errors, uncaught exceptions and requests to anywhere but the server, as they happen. */
  readonly problems: string[];
  close(): Promise<void>;
}

/**
 * Opens the dashboard in a fresh context (its own session storage) and records whatever should
 * never happen: a script error, a console error, a request that leaves the server (the page must
 * work offline, nothing from a CDN). `expectedConsole` lets a test allow the browser's own
 * "Failed to load resource" line for the 401/403 answers it provokes.
 */
export async function openDashboard(browser: Browser, base: string, options: BrowserContextOptions = desktop, expectedConsole?: RegExp): Promise<WatchedPage> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !expectedConsole?.test(message.text())) problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught in the page: ${error.message}`));
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${base}/`) && !url.startsWith('data:')) problems.push(`request outside the server: ${url}`);
  });
  await page.goto(`${base}/`);
  return { page, problems, close: () => context.close() };
}

export const screenshot = (page: Page, name: string) => page.screenshot({ path: `${screenshotDir}/${name}.png`, fullPage: true });

/** What the browser sees of an element, for the checks that read the DOM. */
interface ElementLike {
  readonly textContent: string | null;
  readonly dataset: Record<string, string | undefined>;
}
interface CanvasLike {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { readonly data: Uint8ClampedArray } } | null;
}

/** Counts the chart's pixels in a series' colour: proof that uPlot drew the points and the threshold. */
export function chartPixels(page: Page): Promise<{ width: number; training: number; threshold: number }> {
  return page.locator('#recall-chart canvas').evaluate((element) => {
    const canvas = element as unknown as CanvasLike;
    const { data } = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height) ?? { data: new Uint8ClampedArray() };
    const near = (i: number, [r, g, b]: readonly number[]) => data[i + 3] > 120 && Math.abs(data[i] - r) < 16 && Math.abs(data[i + 1] - g) < 16 && Math.abs(data[i + 2] - b) < 16;
    let training = 0;
    let threshold = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (near(i, [37, 99, 235])) training++;
      if (near(i, [220, 38, 38])) threshold++;
    }
    return { width: canvas.width, training, threshold };
  });
}

export async function dataAttribute(page: Page, selector: string, name: string): Promise<string | undefined> {
  return page.locator(selector).evaluate((element, key) => (element as unknown as ElementLike).dataset[key], name);
}

export async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).textContent()) ?? '').trim();
}
