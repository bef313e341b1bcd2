import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir, writeFile } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait-for.js';
import { getJson, postJson, useServer } from '../http/server-fixture.js';

/**
 * The tutorial's second data file as a user brings it: the original Wisconsin layout, no header,
 * an id, nine features, the class as 2/4 and `?` for missing cells (the fixture is the golden's
 * copy made from the bundled data by scripts/make-preprocessing-golden.py). Configured as the
 * README shows, it trains in every mode over HTTP, reports scikit-learn's per-class recall, and
 * serves a row with a missing feature.
 */
interface Golden {
  csv: string;
  reading: { columns: string[] };
  tabular_modes: Record<string, { report: Record<string, { recall: number; support: number }> }>;
}
const golden = JSON.parse(readFileSync(new URL('../golden/tabular-wisconsin.json', import.meta.url), 'utf8')) as Golden;
const source = writeFile(tempDir('mloop-wisconsin-'), 'breast-cancer-wisconsin.data', golden.csv);

interface ModelView {
  version: number;
  mode: string;
  metrics: { labels: string[]; perClass: { label: string; recall: number; support: number }[] };
}

describe('a headerless file with missing values, positive class 4', () => {
  const fixture = useServer({
    config: {
      dataset: { source, header: false, columns: golden.reading.columns, label: 'class', positive: 4, drop: ['id'], classNames: { 2: 'benign', 4: 'malignant' } },
    },
  });

  it.each(['normalized', 'basic', 'gridsearch'])('trains %s and reports the recall of each class as scikit-learn does', async (mode) => {
    const started = await postJson(`${fixture.base}/api/v1/train`, { mode });
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: number };
    const run = await waitFor(`run ${runId}`, async () => {
      const r = await getJson<{ status: string; result: { version: number } | null; error: string | null }>(`${fixture.base}/api/v1/runs/${runId}`);
      return r.status === 'queued' || r.status === 'running' ? undefined : r;
    }, 60_000);
    expect(run.error).toBeNull();
    const model = await getJson<ModelView>(`${fixture.base}/api/v1/models/${run.result?.version}`);
    expect(model.mode).toBe(mode);
    expect(model.metrics.labels).toEqual(['2', '4']);
    const expected = golden.tabular_modes[mode].report;
    expect(model.metrics.perClass.map((c) => [c.label, c.recall, c.support])).toEqual(['2', '4'].map((label) => [label, expected[label].recall, expected[label].support]));
  });

  it('predicts a row with a missing feature, and says it imputed it', async () => {
    const row = { clump_thickness: 9, uniformity_cell_size: 1, uniformity_cell_shape: 9, marginal_adhesion: 9, single_epithelial_cell_size: 10, bare_nuclei: null, bland_chromatin: 10, normal_nucleoli: 10, mitoses: 10 };
    const res = await postJson(`${fixture.base}/api/v1/predict`, { row });
    expect(res.status).toBe(200);
    const { classes, predictions } = (await res.json()) as { classes: string[]; predictions: { label: string; className: string; imputed?: string[] }[] };
    expect(classes).toEqual(['2', '4']);
    expect(predictions[0]).toMatchObject({ label: '4', className: 'malignant', imputed: ['bare_nuclei'] });
  });
});

/**
 * Drift on a table with categorical columns and missing cells (the golden's mixed copy of the
 * bundled data: `site` left/right/center, `grade` 1 to 4 read as categories, empty cells): the
 * training split is profiled whole, and recent inputs that all come from a site the model never
 * saw, with `grade` missing, are reported as such.
 */
describe('drift of categorical features and missing values', () => {
  const mixed = JSON.parse(readFileSync(new URL('../golden/tabular-wdbc-mixed.json', import.meta.url), 'utf8')) as { csv: string; reading: Record<string, unknown> };
  const mixedSource = writeFile(tempDir('mloop-mixed-'), 'mixed.csv', mixed.csv);
  const fixture = useServer({ config: { dataset: { source: mixedSource, ...mixed.reading }, monitor: { driftMinRows: 30 } } });

  it('tests category shares by chi-square beside KS for numbers, and reports each feature\'s missing rate', async () => {
    const [header, ...lines] = mixed.csv.trimEnd().split('\n');
    const names = header.split(',');
    const rows = lines.slice(0, 40).map((line) => {
      const cells = line.split(',');
      const row: Record<string, unknown> = {};
      names.forEach((name, j) => {
        if (name === 'diagnosis') return;
        row[name] = name === 'site' ? 'top' : name === 'grade' ? null : cells[j] === '' ? null : Number(cells[j]);
      });
      return row;
    });
    const res = await postJson(`${fixture.base}/api/v1/predict`, { rows });
    expect(res.status).toBe(200);
    interface Feature { feature: string; kind: string; drifted: boolean; chiSquare?: { pValue: number } | null; ks?: unknown; missingRate: { reference: number; recent: number } }
    const { report, reason } = await getJson<{ report: { features: Feature[] } | null; reason: string | null }>(`${fixture.base}/api/v1/drift`);
    expect(reason).toBeNull();
    const byName = new Map(report?.features.map((f) => [f.feature, f]));
    // Every input from an unknown site: the category shares moved.
    expect(byName.get('site')).toMatchObject({ kind: 'categorical', drifted: true });
    expect(byName.get('site')?.chiSquare?.pValue).toBeLessThan(1e-10);
    // grade missing in every input: no value to test, the missing rate says it.
    expect(byName.get('grade')).toMatchObject({ kind: 'categorical', drifted: false, chiSquare: null, missingRate: { recent: 1 } });
    expect(byName.get('grade')?.missingRate.reference).toBeGreaterThan(0);
    expect(byName.get('radius_mean')).toMatchObject({ kind: 'numeric' });
  });
});
