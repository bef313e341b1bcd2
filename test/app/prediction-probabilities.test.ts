import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { predictRows } from '../../src/app/predictions.js';
import type { ServingModel } from '../../src/app/serving-model.js';
import { parseDataset } from '../../src/core/dataset.js';
import { take, takeRows } from '../../src/core/matrix.js';
import type { ModelArtifact, TrainingParams } from '../../src/core/model-artifact.js';
import { fitModel, isModelArtifact, upgradeModelArtifact } from '../../src/core/model-artifact.js';
import { createPredictor } from '../../src/core/predictor.js';
import type { ModelSummary } from '../../src/store/model-repository.js';

const data = parseDataset(readFileSync(new URL('../../data/wdbc.csv', import.meta.url), 'utf8'), { label: 'diagnosis', positive: 'M', drop: ['id'] });
const rows = Array.from({ length: 120 }, (_, i) => i * 4);
const params = (probability?: boolean): TrainingParams => ({ mode: 'normalized', C: 1, gamma: 'scale', grid: { C: [1], gamma: [1] }, cv: 5, impute: 'mean', ...(probability === undefined ? {} : { probability }) });
const fit = (probability?: boolean) => fitModel(params(probability), takeRows(data.x, rows), take(data.y, rows), data.features, { randomState: 20 });

/** The artifact as the registry stores it and reads it back. */
function stored(artifact: ModelArtifact): ServingModel {
  const read = upgradeModelArtifact(JSON.parse(JSON.stringify(artifact)));
  if (!isModelArtifact(read)) throw new Error('not an artifact');
  return { version: 3, summary: {} as ModelSummary, reference: null, artifact: read, ranges: [], predictor: createPredictor(read) };
}
const sample = [1, 2, 3, 5].map((i) => Array.from(data.x.data.subarray(i * data.x.cols, (i + 1) * data.x.cols)));
const options = { maxRows: 10, classNames: {}, nowMs: 0 };

describe('probabilities in answers', () => {
  it("gives each class's probability by label, adding up to 1, on the side of the label", async () => {
    const { outcome } = predictRows(stored(await fit(true)), sample, options);
    for (const p of outcome.predictions) {
      expect(Object.keys(p.probabilities ?? {})).toEqual(['B', 'M']);
      const { B, M } = p.probabilities ?? { B: NaN, M: NaN };
      expect(Math.abs(B + M - 1)).toBeLessThan(1e-12);
      expect(M > 0.5).toBe(p.label === 'M');
    }
  });

  it('serves a version stored before probabilities (no probA/probB) with the same labels and no probabilities', async () => {
    const withPlatt = await fit(true);
    const old = await fit();
    expect(old.svc.probA).toBeUndefined();
    const before = predictRows(stored(old), sample, options).outcome.predictions;
    const after = predictRows(stored(withPlatt), sample, options).outcome.predictions;
    expect(before.map((p) => [p.label, p.decision])).toEqual(after.map((p) => [p.label, p.decision]));
    for (const p of before) expect(p).not.toHaveProperty('probabilities');
  });
});
