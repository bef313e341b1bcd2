import { startServer, postJson } from '../http/server-fixture.js';
import { loadWdbc, readGolden } from '../helpers/wdbc.js';
import { launchChromium, openDashboard, phone, desktop } from './browser.js';
const wdbc = loadWdbc();
const { test_indices } = readGolden<{ test_indices: number[] }>('default');
const rowOf = (i: number) => Array.from(wdbc.x.data.subarray(i * 30, (i + 1) * 30));
const server = await startServer({ config: { monitor: { driftWindow: 60 } } });
const browser = await launchChromium();
const predict = async (rows: number[][]) => ((await (await postJson(`${server.base}/api/v1/predict`, { rows })).json()) as { predictions: { predictionId: string }[] }).predictions.map((p) => p.predictionId);
const mode = process.argv[2] ?? 'drift';
const ids = await predict(test_indices.map(rowOf));
const n = mode === 'few' ? 20 : 114;
await postJson(`${server.base}/api/v1/feedback`, { items: test_indices.slice(0, n).map((i, k) => ({ predictionId: ids[k], actual: wdbc.y[i] })) });
if (mode !== 'few') await predict(test_indices.slice(0, 60).map((i) => rowOf(i).map((v) => v * 1.3)));
await fetch(`${server.base}/api/v1/jobs/check/run`, { method: 'POST' });
for (const [name, opts] of [['desktop', desktop], ['phone', phone]] as const) {
  const w = await openDashboard(browser, server.base, opts);
  await w.page.locator(mode === 'few' ? '#live-table' : '#drift-headline[data-state="drift"]').waitFor();
  await w.page.locator('#alerts-table tr[data-alert="data_drift"], #alerts-table, #runs-table tr[data-status="succeeded"]').first().waitFor();
  await new Promise((r) => setTimeout(r, 1500));
  for (const sel of ['#live', '#drift', '#alerts', '#runs', '#predict']) {
    await w.page.locator(sel).locator('xpath=..').screenshot({ path: `/tmp/shots/${mode}-${name}-${sel.slice(1)}.png` });
  }
  console.log(name, w.problems);
  await w.close();
}
await browser.close();
await server.close();
