import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDataset } from '../../src/core/dataset.js';
import { bundledCsv, tutorialLayoutCsv } from '../helpers/fixtures.js';
import type { RunningServer } from './server-fixture.js';
import { benignRow, malignRow, postJson, startServer } from './server-fixture.js';

interface ErrorBody {
  error: string;
  details: unknown;
}

const maxBatchRows = 20;
const bundled = parseDataset(readFileSync(new URL('../../data/wdbc.csv', import.meta.url), 'utf8'), { label: 'diagnosis', positive: 'M', drop: ['id'] });
const probabilityGolden = JSON.parse(readFileSync(new URL('../golden/probability-pipeline.json', import.meta.url), 'utf8')) as {
  cases: { name: string; test_indices: number[]; modes: Record<string, { predict_proba: number[] }> }[];
};
const bodyLimitBytes = 64 * 1024;

describe('prediction protocols', () => {
  let server: RunningServer;
  let features: readonly string[];
  const record = (row: readonly number[]) => Object.fromEntries(features.map((f, k) => [f, row[k]]));

  beforeAll(async () => {
    server = await startServer({ config: { server: { maxBatchRows, bodyLimitBytes } } });
    features = server.app.registry.serving?.artifact.featureNames ?? [];
    expect(features).toHaveLength(30);
  });
  afterAll(() => server.close());

  describe('POST /api/v1/predict', () => {
    const url = () => `${server.base}/api/v1/predict`;

    it('predicts rows given as arrays or as objects keyed by feature name', async () => {
      const res = await postJson(url(), { rows: [malignRow, record(benignRow)] });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { modelVersion: number; predictions: { predictionId: string; label: string; className: string; decision: number }[] };
      expect(body.modelVersion).toBe(server.app.registry.serving?.version);
      expect(body.predictions.map((p) => [p.label, p.className])).toEqual([
        ['M', 'Malign'],
        ['B', 'Benign'],
      ]);
      expect(body.predictions[0].decision).toBeGreaterThan(0);
      expect(body.predictions[1].decision).toBeLessThan(0);
      expect(new Set(body.predictions.map((p) => p.predictionId)).size).toBe(2);
    });

    it("answers each class's probability, scikit-learn's predict_proba of the same training (bundled data, normalized)", async () => {
      const golden = probabilityGolden.cases.find((c) => c.name === 'bundled-wdbc');
      const expected = golden?.modes.normalized.predict_proba ?? [];
      const rows = (golden?.test_indices ?? []).map((i) => Array.from(bundled.x.data.subarray(i * bundled.x.cols, (i + 1) * bundled.x.cols)));
      const answers: { label: string; probabilities: Record<string, number> }[] = [];
      for (let i = 0; i < rows.length; i += maxBatchRows) {
        const res = await postJson(url(), { rows: rows.slice(i, i + maxBatchRows) });
        expect(res.status).toBe(200);
        answers.push(...((await res.json()) as { predictions: { label: string; probabilities: Record<string, number> }[] }).predictions);
      }
      expect(answers).toHaveLength(expected.length / 2);
      const worst = Math.max(...answers.flatMap((a, r) => [Math.abs(a.probabilities.B - expected[2 * r]), Math.abs(a.probabilities.M - expected[2 * r + 1])]));
      expect(worst).toBeLessThanOrEqual(1e-9);
    });

    it('predicts a single row and echoes external ids', async () => {
      const one = (await (await postJson(url(), { row: malignRow, externalId: 'case-7' })).json()) as { predictions: { externalId: string; label: string }[] };
      expect(one.predictions).toHaveLength(1);
      expect(one.predictions[0]).toMatchObject({ label: 'M', externalId: 'case-7' });
      const many = (await (await postJson(url(), { rows: [malignRow, benignRow], externalIds: ['a', 'b'] })).json()) as { predictions: { externalId: string }[] };
      expect(many.predictions.map((p) => p.externalId)).toEqual(['a', 'b']);
    });

    const withValue = (k: number, v: unknown) => [...malignRow.slice(0, k), v, ...malignRow.slice(k + 1)];
    // Bodies are built per test: object rows need the feature names, known once the server runs.
    const badBodies: [string, () => unknown, RegExp][] = [
      ['wrong feature count', () => ({ rows: [malignRow.slice(0, 12)] }), /row 0: expected 30 values .*got 12/],
      ['a "NaN" string', () => ({ rows: [withValue(3, 'NaN')] }), /row 0, feature "area_mean": expected a finite number, got the string "NaN"/],
      ['a string', () => ({ rows: [withValue(0, 'big')] }), /row 0, feature "radius_mean": expected a finite number, got the string "big"/],
      ['a "NaN" string in an object row', () => ({ row: { ...record(malignRow), radius_mean: 'NaN' } }), /row 0, feature "radius_mean": expected a finite number, got the string "NaN"/],
      ['an object as a value', () => ({ rows: [withValue(2, { a: 1 })] }), /body\/rows\/0\/2 must be a number, a string or null/],
      ['an unknown feature name', () => ({ row: { ...record(malignRow), radius_meen: 1 } }), /unknown feature "radius_meen"/],
      ['an empty batch', () => ({ rows: [] }), /no rows to predict/],
      ['a batch over server.maxBatchRows', () => ({ rows: Array.from({ length: maxBatchRows + 1 }, () => malignRow) }), /21 rows .* over the limit of 20 \(server.maxBatchRows\)/],
      ['both row and rows', () => ({ row: malignRow, rows: [malignRow] }), /either "rows" .* or "row"/],
      ['neither row nor rows', () => ({}), /either "rows" .* or "row"/],
      ['an unknown key', () => ({ data: [malignRow] }), /body must NOT have additional property 'data'/],
      ['externalIds of the wrong length', () => ({ rows: [malignRow], externalIds: ['a', 'b'] }), /2 ids for 1 rows/],
    ];
    it.each(badBodies)('answers 400 naming the problem for %s', async (_name, body, message) => {
      const res = await postJson(url(), body());
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const answer = (await res.json()) as ErrorBody;
      expect(answer.error).toMatch(message);
      expect(answer).toHaveProperty('details');
    });

    it('imputes a missing value, sent as null or left out of an object row, and says so', async () => {
      const res = await postJson(url(), { rows: [withValue(5, null), malignRow] });
      expect(res.status).toBe(200);
      const { predictions } = (await res.json()) as { predictions: { label: string; imputed?: string[] }[] };
      expect(predictions[0]).toMatchObject({ label: 'M', imputed: [features[5]] });
      expect(predictions[1]).not.toHaveProperty('imputed');
      const { texture_mean: _left, ...withoutTexture } = record(malignRow);
      const one = (await (await postJson(url(), { row: withoutTexture })).json()) as { predictions: { imputed?: string[] }[] };
      expect(one.predictions[0].imputed).toEqual(['texture_mean']);
    });

    it('answers 400 for a number too large to be finite', async () => {
      const body = `{"rows": [[${malignRow.slice(0, 29).join(',')},1e999]]}`;
      const res = await fetch(url(), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorBody).error).toMatch(/body\/rows\/0\/29 must be a finite number/);
    });

    it('answers 400 for malformed or empty JSON', async () => {
      for (const body of ['{"rows": [[1,2,', '']) {
        const res = await fetch(url(), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
        expect(res.status).toBe(400);
        expect(((await res.json()) as ErrorBody).error).toMatch(/not valid JSON|body is empty/);
      }
    });

    it('answers 413 for a body over server.bodyLimitBytes', async () => {
      const rows = Array.from({ length: 400 }, () => malignRow);
      const res = await postJson(url(), { rows });
      expect(res.status).toBe(413);
      expect(((await res.json()) as ErrorBody).error).toMatch(/larger than the limit of 65536 bytes \(server.bodyLimitBytes\)/);
    });

    it('answers 415 for a body that is not JSON', async () => {
      const res = await fetch(url(), { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: malignRow.join(',') });
      expect(res.status).toBe(415);
      expect(((await res.json()) as ErrorBody).error).toBe('unsupported or malformed content type "text/csv": send the body as application/json');
    });
  });

  describe("MLflow's POST /invocations", () => {
    const url = () => `${server.base}/invocations`;
    const predictions = async (body: unknown) => {
      const res = await postJson(url(), body);
      expect(res.status, await res.clone().text()).toBe(200);
      return ((await res.json()) as { predictions: string[] }).predictions;
    };

    it('accepts dataframe_split, with columns in feature order, in another order or none', async () => {
      expect(await predictions({ dataframe_split: { columns: features, data: [malignRow, benignRow] } })).toEqual(['M', 'B']);
      const reversed = [...features].reverse();
      expect(await predictions({ dataframe_split: { columns: reversed, data: [[...malignRow].reverse(), [...benignRow].reverse()] } })).toEqual(['M', 'B']);
      expect(await predictions({ dataframe_split: { index: [0], data: [benignRow] } })).toEqual(['B']);
    });

    it('accepts dataframe_records, instances and inputs (rows or columns)', async () => {
      expect(await predictions({ dataframe_records: [record(malignRow), record(benignRow)] })).toEqual(['M', 'B']);
      expect(await predictions({ instances: [malignRow, record(benignRow)] })).toEqual(['M', 'B']);
      expect(await predictions({ inputs: [benignRow] })).toEqual(['B']);
      const columns = Object.fromEntries(features.map((f, k) => [f, [malignRow[k], benignRow[k]]]));
      expect(await predictions({ inputs: columns })).toEqual(['M', 'B']);
    });

    it('answers 400 naming the problem', async () => {
      const cases: [unknown, RegExp][] = [
        [{ dataframe_split: { columns: features, data: [malignRow.slice(1)] } }, /row 0: expected 30 values .*got 29/],
        [{ dataframe_split: { columns: [...features].reverse(), data: [malignRow.slice(1)] } }, /row 0 has 29 values for 30 columns/],
        [{ dataframe_split: { columns: [...features.slice(1), features[1]], data: [malignRow] } }, /names a column twice/],
        [{ dataframe_split: { columns: ['nope', ...features.slice(1)], data: [malignRow] } }, /unknown feature "nope"/],
        [{ dataframe_records: [{ ...record(malignRow), radius_mean: 'NaN' }] }, /feature "radius_mean": expected a finite number, got the string "NaN"/],
        [{ instances: [malignRow], inputs: [malignRow] }, /exactly one of .*not instances and inputs/],
        [{ columns: features, data: [malignRow] }, /exactly one of dataframe_split, dataframe_records, instances or inputs/],
        [{ instances: [] }, /no rows to predict/],
      ];
      for (const [body, message] of cases) {
        const res = await postJson(url(), body);
        expect(res.status).toBe(400);
        expect(((await res.json()) as ErrorBody).error).toMatch(message);
      }
    });
  });

  describe("MLflow's POST /invocations with Content-Type: text/csv", () => {
    const url = () => `${server.base}/invocations`;
    const postCsv = (body: string) => fetch(url(), { method: 'POST', headers: { 'Content-Type': 'text/csv; charset=utf-8' }, body });
    const line = (values: readonly unknown[]) => values.join(',');

    it('reads a header line, then rows, columns in any order, empty cells as missing', async () => {
      const res = await postCsv(`${line(features)}\n${line(malignRow)}\n${line(benignRow)}\n`);
      expect(res.status, await res.clone().text()).toBe(200);
      expect(await res.json()).toEqual({ predictions: ['M', 'B'] });
      const reversed = [...features].reverse();
      const withMissing = [...benignRow].reverse().map((v, k) => (k === 0 ? '' : v));
      const other = await postCsv(`${line(reversed)}\r\n${line([...malignRow].reverse())}\r\n${line(withMissing)}`);
      expect(await other.json()).toEqual({ predictions: ['M', 'B'] });
    });

    it("takes the data set's own file as it is: its label, dataset.drop and unnamed columns are not features", async () => {
      const file = tutorialLayoutCsv(5);
      const res = await postCsv(file);
      expect(res.status, await res.clone().text()).toBe(200);
      const expected = bundledCsv.trimEnd().split('\n').slice(1, 6).map((l) => l.split(',')[0]);
      expect(await res.json()).toEqual({ predictions: expected });
    });

    it("names the body's line of a bad cell, as people count them (the header is line 1)", async () => {
      const lines = tutorialLayoutCsv(5).split('\r\n');
      lines[3] = lines[3].replace(/^(\d+,[MB],)[^,]+/, '$1big');
      const res = await postCsv(lines.join('\r\n'));
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorBody).error).toMatch(/^CSV line 4, feature "radius_mean": expected a finite number, got the string "big"/);
    });

    it('answers 400 naming the line or the problem for a bad CSV', async () => {
      const cases: [string, RegExp][] = [
        ['', /body is empty: send a header line/],
        [`${line(features)}\n`, /header line but no rows/],
        [`${line(features)}\n${line(malignRow.slice(1))}`, /CSV line 2: 29 cells, but the header line names 30 columns/],
        [`${line(features)}\n${line(malignRow)}\n"unterminated,1`, /not readable CSV: .*(quote|Quote)/],
        [`${line(['nope', ...features.slice(1)])}\n${line(malignRow)}`, /unknown feature "nope"/],
        [`${line(features)}\n${line(['big', ...malignRow.slice(1)])}`, /feature "radius_mean": expected a finite number, got the string "big"/],
      ];
      for (const [body, message] of cases) {
        const res = await postCsv(body);
        expect(res.status, body.slice(0, 60)).toBe(400);
        expect(((await res.json()) as ErrorBody).error).toMatch(message);
      }
    });

    it('stays a 415 on the JSON prediction API', async () => {
      const res = await fetch(`${server.base}/api/v1/predict`, { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: `${line(features)}\n${line(malignRow)}` });
      expect(res.status).toBe(415);
    });
  });

  describe('Open Inference Protocol (KServe v2)', () => {
    const infer = (body: unknown, name = 'mloop') => postJson(`${server.base}/v2/models/${name}/infer`, body);

    it('answers health and model metadata', async () => {
      expect(await (await fetch(`${server.base}/v2/health/live`)).json()).toEqual({ live: true });
      expect(await (await fetch(`${server.base}/v2/health/ready`)).json()).toEqual({ ready: true });
      expect(await (await fetch(`${server.base}/v2/models/mloop/ready`)).json()).toEqual({ name: 'mloop', ready: true });
      const meta = await (await fetch(`${server.base}/v2/models/mloop`)).json();
      expect(meta).toEqual({
        name: 'mloop',
        versions: [String(server.app.registry.serving?.version)],
        platform: 'mloop',
        classes: ['B', 'M'],
        inputs: [{ name: 'features', datatype: 'FP64', shape: [-1, 30] }],
        outputs: [
          { name: 'label', datatype: 'BYTES', shape: [-1] },
          { name: 'decision', datatype: 'FP64', shape: [-1] },
          { name: 'probabilities', datatype: 'FP64', shape: [-1, 2] },
        ],
      });
      expect((await fetch(`${server.base}/v2/models/other`)).status).toBe(404);
      expect((await fetch(`${server.base}/v2/models/other/ready`)).status).toBe(404);
    });

    it('infers a flat row-major tensor and a nested one', async () => {
      const flat = await infer({ id: 'req-1', inputs: [{ name: 'input-0', shape: [2, 30], datatype: 'FP64', data: [...malignRow, ...benignRow] }] });
      expect(flat.status).toBe(200);
      const body = (await flat.json()) as { model_name: string; model_version: string; id: string; outputs: { name: string; shape: number[]; datatype: string; data: unknown[] }[] };
      expect(body).toMatchObject({ model_name: 'mloop', model_version: String(server.app.registry.serving?.version), id: 'req-1' });
      expect(body.outputs.map((o) => [o.name, o.datatype, o.shape])).toEqual([
        ['label', 'BYTES', [2]],
        ['decision', 'FP64', [2]],
        ['probabilities', 'FP64', [2, 2]],
      ]);
      expect(body.outputs[0].data).toEqual(['M', 'B']);
      expect(body.outputs[1].data).toHaveLength(2);
      // Row-major, classes in the metadata's order (B, M): the malignant row's M is its second value.
      const [pB, pM, qB, qM] = body.outputs[2].data as number[];
      expect([pB + pM, qB + qM].map((v) => Math.abs(v - 1) < 1e-12)).toEqual([true, true]);
      expect(pM).toBeGreaterThan(0.5);
      expect(qB).toBeGreaterThan(0.5);
      const nested = (await (await infer({ inputs: [{ name: 'features', shape: [2, 30], datatype: 'FP64', data: [benignRow, malignRow] }], outputs: [{ name: 'label' }] })).json()) as { id?: string; outputs: { name: string; data: unknown[] }[] };
      expect(nested.id).toBeUndefined();
      expect(nested.outputs).toEqual([{ name: 'label', datatype: 'BYTES', shape: [2], data: ['B', 'M'] }]);
    });

    it('answers 400 for a wrong datatype, shape or data, 404 for another model', async () => {
      const cases: [unknown, RegExp][] = [
        [{ inputs: [{ name: 'x', shape: [1, 30], datatype: 'INT64', data: malignRow }] }, /datatype "INT64": send FP64/],
        [{ inputs: [{ name: 'x', shape: [1, 29], datatype: 'FP64', data: malignRow.slice(1) }] }, /shape \[1,29\]: expected \[n, 30\]/],
        [{ inputs: [{ name: 'x', shape: [30], datatype: 'FP64', data: malignRow }] }, /shape \[30\]: expected \[n, 30\]/],
        [{ inputs: [{ name: 'x', shape: [2, 30], datatype: 'FP64', data: malignRow }] }, /holds 30 values, shape \[2, 30\] needs 60/],
        [{ inputs: [{ name: 'x', shape: [1, 30], datatype: 'FP64', data: [...malignRow.slice(1), 'NaN'] }] }, /expected a finite number, got the string "NaN"/],
        [{ inputs: [] }, /body\/inputs must NOT have fewer than 1 items/],
        [{ inputs: [{ name: 'x', shape: [1, 30], datatype: 'FP64', data: malignRow }], outputs: [{ name: 'proba' }] }, /unknown output "proba"/],
      ];
      for (const [body, message] of cases) {
        const res = await infer(body);
        expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
        expect(((await res.json()) as ErrorBody).error).toMatch(message);
      }
      const other = await infer({ inputs: [{ name: 'x', shape: [1, 30], datatype: 'FP64', data: malignRow }] }, 'resnet');
      expect(other.status).toBe(404);
      expect(((await other.json()) as ErrorBody).error).toMatch(/no model named "resnet"/);
    });
  });
});
