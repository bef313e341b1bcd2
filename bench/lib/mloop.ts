/**
 * mloop as the bench measures it: the built JavaScript in dist/ (what `npm start` runs), typed by
 * the sources it was built from. `npm run bench` builds first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNodeOptions as startOptionsOf } from '../../scripts/start-options.mjs';
import type * as Dataset from '../../src/core/dataset.js';
import type * as Matrix from '../../src/core/matrix.js';
import type * as MinMaxScaler from '../../src/core/min-max-scaler.js';
import type * as ColumnTransformer from '../../src/core/preprocessing/column-transformer.js';
import type * as ModelArtifact from '../../src/core/model-artifact.js';
import type * as Predictor from '../../src/core/predictor.js';
import type * as Svc from '../../src/core/svc/svc.js';
import type * as Training from '../../src/core/training.js';
import type * as TrainingPool from '../../src/adapters/training-pool.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const distDir = fileURLToPath(new URL('../../dist/', import.meta.url));
/** The command as `npm start` and `npx mloop` run it: the package's bin (the production bundle). */
export const cliPath = fileURLToPath(new URL(`../../${(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { bin: { mloop: string } }).bin.mloop}`, import.meta.url));
export const wdbcCsv = fileURLToPath(new URL('../../data/wdbc.csv', import.meta.url));

export async function importDist<T>(path: string): Promise<T> {
  const url = new URL(`../../dist/${path}`, import.meta.url);
  if (!existsSync(url)) throw new Error(`${fileURLToPath(url)} is missing: run "npm run build" first (npm run bench does)`);
  return (await import(url.href)) as T;
}

export interface MloopCore {
  readonly dataset: typeof Dataset;
  readonly matrix: typeof Matrix;
  readonly scaler: typeof MinMaxScaler;
  readonly columns: typeof ColumnTransformer;
  readonly artifact: typeof ModelArtifact;
  readonly predictor: typeof Predictor;
  readonly svc: typeof Svc;
  readonly training: typeof Training;
  readonly pool: typeof TrainingPool;
}

export async function loadCore(): Promise<MloopCore> {
  return {
    dataset: await importDist<typeof Dataset>('core/dataset.js'),
    matrix: await importDist<typeof Matrix>('core/matrix.js'),
    scaler: await importDist<typeof MinMaxScaler>('core/min-max-scaler.js'),
    columns: await importDist<typeof ColumnTransformer>('core/preprocessing/column-transformer.js'),
    artifact: await importDist<typeof ModelArtifact>('core/model-artifact.js'),
    predictor: await importDist<typeof Predictor>('core/predictor.js'),
    svc: await importDist<typeof Svc>('core/svc/svc.js'),
    training: await importDist<typeof Training>('core/training.js'),
    pool: await importDist<typeof TrainingPool>('adapters/training-pool.js'),
  };
}

/**
 * The node options `npm start` gives the server (package.json's start script: `node <options>
 * <bin> serve`): the bench starts mloop as the README's command does. Today a young generation of
 * 4 MiB semi-spaces instead of V8's 16, 6–12 MiB less resident after load for about 25 ms more start
 * (with any V8 flag, V8 compiles Node's own modules instead of taking their code cache; the build
 * makes the bundle's own code cache for these options too, scripts/code-cache.mjs). The bin's
 * `#!/usr/bin/env node` line cannot carry it portably (`env -S` is missing from BusyBox). The build
 * reads the script with the same parser (scripts/start-options.mjs).
 */
export function startNodeOptions(checkout: string = repoRoot): string[] {
  const file = join(checkout, 'package.json');
  try {
    return startOptionsOf(JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof startOptionsOf>[0]);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
}
