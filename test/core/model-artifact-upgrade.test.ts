import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { takeRows } from '../../src/core/matrix.js';
import { isModelArtifact, upgradeModelArtifact } from '../../src/core/model-artifact.js';
import type { ModelArtifact } from '../../src/core/model-artifact.js';
import { predict } from '../../src/core/predictor.js';
import { loadWdbc } from '../helpers/wdbc.js';

describe('model artifacts written before multi-class (format 1)', () => {
  interface V1Fixture {
    readonly testRows: number[];
    readonly artifact: unknown;
    readonly labels: string[];
    readonly decision: number[];
  }
  // Written by mloop e44d79d (fitModel, then predict on the test rows), the last version before format 2.
  const fixture = JSON.parse(readFileSync(new URL('../fixtures/model-artifact-v1.json', import.meta.url), 'utf8')) as V1Fixture;

  it('read as format 2 and predict the very values they did', () => {
    expect(isModelArtifact(fixture.artifact)).toBe(false);
    const upgraded = upgradeModelArtifact(fixture.artifact);
    expect(isModelArtifact(upgraded)).toBe(true);
    const artifact = upgraded as ModelArtifact;
    expect(artifact.svc.rho).toHaveLength(1);
    expect(artifact.svc.iterations).toHaveLength(1);
    const xTest = takeRows(loadWdbc().x, fixture.testRows);
    const { labels, decision } = predict(artifact, xTest);
    expect(labels).toEqual(fixture.labels);
    expect(decision).toHaveLength(fixture.decision.length);
    expect(Array.from(decision).filter((d, i) => !Object.is(d, fixture.decision[i]))).toEqual([]);
  });

  it('leave anything else as it is', () => {
    const current = { kind: 'mloop-pipeline', formatVersion: 2, svc: { rho: [1] } };
    for (const value of [current, null, 3, { kind: 'other', formatVersion: 1, svc: { rho: 1 } }]) expect(upgradeModelArtifact(value)).toBe(value);
  });
});
