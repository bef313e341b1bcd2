import { describe, expect, it } from 'vitest';
import { getJson, malignRow, postJson, useServer } from './server-fixture.js';

interface Answer {
  predictions: { predictionId: string; outOfRange?: { feature: string; value: number; min: number; max: number }[] }[];
}

/** `radius_mean = -5` or `1e9` gets a class like any row: the answer, the log and a counter say it is outside the training range. */
describe('predictions outside the training range', () => {
  const fixture = useServer();

  it("lists each feature beyond its training range (from the model's profile) and counts it", async () => {
    const { base, app } = fixture.server;
    const model = await getJson<{ version: number; featureSchema: { name: string; trainingRange?: { min: number; max: number } | null }[] }>(`${base}/api/v1/models/1`);
    const radius = model.featureSchema.find((f) => f.name === 'radius_mean');
    const profile = app.registry.require().reference?.features.find((f) => f.name === 'radius_mean');
    expect(profile?.kind).toBe('numeric');
    expect(radius?.trainingRange).toEqual(profile?.kind === 'numeric' ? { min: profile.min, max: profile.max } : null);

    const low = { ...Object.fromEntries(model.featureSchema.map((f, k) => [f.name, malignRow[k]])), radius_mean: -5 };
    const high = { ...low, radius_mean: 1e9, texture_mean: 1e9 };
    const response = await postJson(`${base}/api/v1/predict`, { rows: [malignRow, low, high] });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as Answer;
    const range = radius?.trainingRange;
    expect(answer.predictions[0].outOfRange).toBeUndefined();
    expect(answer.predictions[1].outOfRange).toEqual([{ feature: 'radius_mean', value: -5, ...range }]);
    expect(answer.predictions[2].outOfRange?.map((o) => o.feature)).toEqual(['radius_mean', 'texture_mean']);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('mloop_predictions_out_of_range_total{feature="radius_mean"} 2');
    expect(metrics).toContain('mloop_predictions_out_of_range_total{feature="texture_mean"} 1');
  });
});
