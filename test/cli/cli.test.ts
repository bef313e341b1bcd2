import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModelProto } from '../../src/core/onnx/onnx-proto.js';
import { loadWdbc } from '../helpers/wdbc.js';
import { bundledCsv, csvWithCell, malignantRow, tempDir, tutorialLayoutCsv, writeFile } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait-for.js';
import { mloop } from './run-cli.js';

const run = promisify(execFile);

function configWithSource(dir: string, text: string): string {
  const source = writeFile(dir, 'source.csv', text);
  return writeFile(dir, 'mloop.json', JSON.stringify({ dataset: { source } }));
}

const golden = JSON.parse(readFileSync(new URL('../golden/default.json', import.meta.url), 'utf8')) as {
  modes: Record<string, { report_text: string; best_params?: { C: number; gamma: number }; recall_positive: number }>;
};

describe('mloop train', () => {
  it('prints a grid-search report identical to scikit-learn for the default configuration', async () => {
    const { code, stdout, stderr } = await mloop(['train', '--mode', 'gridsearch', '--data-dir', tempDir()]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(golden.modes.gridsearch.report_text.trimEnd());
    expect(stdout).toContain('grid search: best C=10, gamma=0.1');
    expect(stdout).toContain('recall of M: 0.9792 >= threshold 0.9: PASS');
  });

  it('--json gives the same numbers as one document', async () => {
    const { code, stdout } = await mloop(['train', '--mode', 'basic', '--json', '--data-dir', tempDir()]);
    // basic's recall of M is below the threshold: the gate rejects it, which the exit code says.
    expect(code).toBe(3);
    const doc = JSON.parse(stdout) as { mode: string; monitored: { value: number; passed: boolean }; report: string };
    expect(doc.mode).toBe('basic');
    expect(doc.monitored.value).toBe(golden.modes.basic.recall_positive);
    expect(doc.report).toBe(golden.modes.basic.report_text);
  });
});

describe('bad CSVs give one clear line and exit code 1', () => {
  const [header] = bundledCsv.split('\n');
  const cases: [string, string, RegExp][] = [
    ['missing label column', bundledCsv.replace(/^diagnosis,/, 'outcome,'), /^mloop: .*missing label column 'diagnosis'/],
    ['-inf', csvWithCell(2, 'radius_mean', '-inf'), /^mloop: .*line 4, column 'radius_mean': '-inf' is not a finite number/],
    ['1e999', csvWithCell(5, 'texture_worst', '1e999'), /^mloop: .*line 7, column 'texture_worst': '1e999' is not a finite number/],
    ['Infinity', csvWithCell(5, 'texture_worst', 'Infinity'), /^mloop: .*'Infinity' is not a finite number/],
    ['a class of one row', csvWithCell(8, 'diagnosis', 'malignant'), /^mloop: .*class 'malignant' has only 1 row \(line 10\)/],
    ['too few rows of a class', [header, ...bundledCsv.trimEnd().split('\n').slice(1).filter((l) => l.startsWith('B')), bundledCsv.split('\n').find((l) => l.startsWith('M'))].join('\n'), /^mloop: .*class 'M' has only 1 row/],
    ['duplicate feature column', bundledCsv.replace('texture_mean', 'radius_mean'), /^mloop: .*duplicate column 'radius_mean'/],
    ['ragged row', csvWithCell(0, 'area_mean', '1,5'), /^mloop: .*line 2: 32 cells, but the header has 31 columns/],
  ];
  it.each(cases)('%s', async (_name, text, message) => {
    const dir = tempDir();
    const { code, stdout, stderr } = await mloop(['update', '--config', configWithSource(dir, text), '--data-dir', dir]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('too few rows of a class for 5-fold cross-validation', async () => {
    const dir = tempDir();
    const lines = bundledCsv.trimEnd().split('\n');
    const fewMalignant = [lines[0], ...lines.slice(1).filter((l) => l.startsWith('B')), ...lines.slice(1).filter((l) => l.startsWith('M')).slice(0, 4)].join('\n');
    const { code, stderr } = await mloop(['train', '--mode', 'gridsearch', '--config', configWithSource(dir, fewMalignant), '--data-dir', dir]);
    expect(code).toBe(1);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^mloop: .*M.*5/);
  });

  it('a missing file and an invalid configuration key', async () => {
    const dir = tempDir();
    const missing = await mloop(['update', '--config', writeFile(dir, 'c.json', JSON.stringify({ dataset: { source: `${dir}/nope.csv` } })), '--data-dir', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^mloop: cannot read .*nope\.csv: ENOENT\n$/);
    const badKey = await mloop(['train', '--config', writeFile(dir, 'bad.yaml', 'training:\n  mode: deep\n  epochs: 3\n'), '--data-dir', dir]);
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/training\.mode/);
    expect(badKey.stderr).toMatch(/training\.epochs: unknown key/);
  });
});

describe('mloop predict, report and models', () => {
  it('predicts a CSV in the tutorial layout and lists the registry', async () => {
    const dir = tempDir();
    expect((await mloop(['train', '--data-dir', dir])).code).toBe(0);
    const input = writeFile(dir, 'rows.csv', tutorialLayoutCsv(3));
    const predicted = await mloop(['predict', '--input', input, '--data-dir', dir]);
    expect(predicted.code).toBe(0);
    const lines = predicted.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('line,label,class_name,decision,decision_threshold,probability_B,probability_M,imputed,unknown_categories,model_version,prediction_id,out_of_range');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['2,M', '3,M', '4,M']);
    // training.probability is on by default: each row's two probabilities add up to 1.
    for (const line of lines.slice(1)) {
      const [b, m] = line.split(',').slice(5, 7).map(Number);
      expect(b + m).toBeCloseTo(1, 12);
      expect(m).toBeGreaterThan(0.5);
    }
    const report = await mloop(['report', '--data-dir', dir]);
    expect(report.stdout).toContain('active model v1 (normalized)');
    const cardFile = `${dir}/card.html`;
    const card = await mloop(['report', '--html', cardFile, '--data-dir', dir]);
    expect(card.stdout).toBe(`model card of v1 written to ${cardFile}\n`);
    expect(readFileSync(cardFile, 'utf8')).toMatch(/<h1>Model card<\/h1>[\s\S]*Breast Cancer Wisconsin \(Diagnostic\) classifier · model v1[\s\S]*<h2>Test-split evaluation<\/h2>/);
    expect(report.stdout).toMatch(/curves on the test split \(decision values\):\n {2}M: ROC AUC 0\.99\d\d, average precision 0\.9\d{3}; at threshold 0: recall 0\.9\d{3}, false-positive rate 0\.\d{4}/);
    expect(report.stdout).toContain('live (last 30d): no confirmed cases yet\n');

    // 40 logged predictions, then the diagnoses pathology would confirm, here M exactly when the
    // decision value is positive: a perfect ranking (both areas 1) and a perfect recall.
    expect((await mloop(['predict', '--log', '--input', writeFile(dir, 'logged.csv', tutorialLayoutCsv(40)), '--data-dir', dir])).code).toBe(0);
    const db = new Database(join(dir, 'mloop.sqlite'));
    db.prepare("UPDATE predictions SET actual = CASE WHEN decision > 0 THEN 'M' ELSE 'B' END, confirmed_at = ?").run(new Date().toISOString());
    expect((db.prepare("SELECT count(DISTINCT actual) AS n FROM predictions").get() as { n: number }).n).toBe(2);
    db.close();
    const live = await mloop(['report', '--data-dir', dir]);
    expect(live.stdout).toContain('live (last 30d):\n  v1: 40 confirmed cases, recall of M 1.0000; M: ROC AUC 1.0000, average precision 1.0000\n');
    const json = JSON.parse((await mloop(['report', '--json', '--data-dir', dir])).stdout) as { live: { versions: unknown[] } };
    expect(json.live.versions).toEqual([
      expect.objectContaining({ modelVersion: 1, confirmed: 40, areas: [{ label: 'M', rocAuc: 1, averagePrecision: 1 }], curvesCases: expect.objectContaining({ rows: 40, windowRows: 40, sampled: false }) }),
    ]);
    const models = await mloop(['models', 'list', '--json', '--data-dir', dir]);
    expect((JSON.parse(models.stdout) as { version: number; status: string }[])[0]).toMatchObject({ version: 1, status: 'active' });
    const rollback = await mloop(['models', 'rollback', '--data-dir', dir]);
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toBe('mloop: nothing to roll back to: no model was active before the current one\n');
  });

  it('promotes a version the gate rejected only with --force and --reason, and shows it in the audit log', async () => {
    const dir = tempDir();
    expect((await mloop(['train', '--data-dir', dir])).code).toBe(0);
    const basic = await mloop(['train', '--mode', 'basic', '--data-dir', dir]);
    expect(basic.code).toBe(3);
    expect(basic.stdout).toContain('v2 not activated: recall of M 0.8333 is below the threshold 0.9: rejected by the promotion gate, v1 stays active');

    const refused = await mloop(['models', 'promote', 'v2', '--data-dir', dir]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      'mloop: v2 was rejected by the promotion gate (recall of M 0.8333 is below the threshold 0.9: rejected by the promotion gate, v1 stays active): ' +
        'promoting v2 needs force and a reason ({"force": true, "reason": "..."} in the API, --force --reason "..." in the CLI)\n',
    );
    const noReason = await mloop(['models', 'promote', '2', '--force', '--data-dir', dir]);
    expect(noReason.code).toBe(1);
    expect(noReason.stderr).toBe('mloop: force needs a reason: say why this version should serve (it goes to the audit log)\n');

    const forced = await mloop(['models', 'promote', '2', '--force', '--reason', 'second opinion on live cases', '--data-dir', dir]);
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toBe('v2 is now active (forced: the gate rejected it; reason recorded in the audit log: "second opinion on live cases")\n');

    const list = await mloop(['models', 'list', '--data-dir', dir]);
    expect(list.stdout.split('\n')[1]).toMatch(/^v2 +active +rejected +basic +1 +scale +1 +0\.8333 +\S+ +recall of M 0\.8333 is below the threshold 0\.9/);
    const audit = await mloop(['models', 'audit', '--json', '--data-dir', dir]);
    expect((JSON.parse(audit.stdout) as { action: string; fromVersion: number; toVersion: number; actor: string; reason: string }[])[0]).toMatchObject({
      action: 'forced_promotion',
      fromVersion: 1,
      toVersion: 2,
      actor: 'cli',
      reason: 'second opinion on live cases',
    });
  });
});

describe('mloop models export', () => {
  it('writes the version as an ONNX file that ONNX Runtime runs with the labels mloop predicts', async () => {
    const dir = tempDir();
    expect((await mloop(['train', '--data-dir', dir])).code).toBe(0);
    const file = `${dir}/model.onnx`;
    const exported = await mloop(['models', 'export', 'v1', '--format', 'onnx', '-o', file, '--data-dir', dir]);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const bytes = readFileSync(file);
    expect(exported.stdout).toBe(`wrote v1 as ONNX to ${file} (${bytes.length} bytes)\n`);
    expect(decodeModelProto(bytes).modelVersion).toBe(1);

    const wdbc = loadWdbc();
    const predicted = await mloop(['predict', '--input', writeFile(dir, 'all.csv', bundledCsv), '--format', 'json', '--data-dir', dir]);
    const labels = (JSON.parse(predicted.stdout) as { predictions: { label: string }[] }).predictions.map((p) => p.label);
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ input: new ort.Tensor('float32', Float32Array.from(wdbc.x.data), [wdbc.x.rows, wdbc.x.cols]) });
    await session.release();
    expect(out.label.data).toEqual(labels);
  });

  it('names what is wrong: an unknown version, a format it does not write', async () => {
    const dir = tempDir();
    // basic's recall of M (0.833) is below the threshold: trained, rejected by the gate (exit 3), still exportable.
    expect((await mloop(['train', '--mode', 'basic', '--data-dir', dir])).code).toBe(3);
    const unknown = await mloop(['models', 'export', '7', '--data-dir', dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('mloop: no model version 7\n');
    const pmml = await mloop(['models', 'export', '1', '--format', 'pmml', '--data-dir', dir]);
    expect(pmml.code).toBe(1);
    expect(pmml.stderr).toContain("argument 'pmml' is invalid. Allowed choices are onnx.");
  });
});

describe('mloop serve', () => {
  it('refuses a token shorter than 16 characters before starting, saying how to make one', async () => {
    const dir = tempDir();
    const weak = await mloop(['serve', '--port', '0', '--data-dir', dir], { MLOOP_ADMIN_TOKEN: 'x', MLOOP_PREDICT_TOKEN: 'predict-token-0123456789' }, 20_000);
    expect(weak.code).toBe(1);
    expect(weak.stdout).toBe('');
    expect(weak.stderr).toBe(
      'mloop: MLOOP_ADMIN_TOKEN is 1 character long: a token needs at least 16 characters, so that it cannot be guessed. Generate one with: openssl rand -hex 32 (or: node -e "console.log(crypto.randomBytes(32).toString(\'hex\'))")\n',
    );
    expect(existsSync(`${dir}/mloop.sqlite`)).toBe(false);
  });
});

describe('the package bin (the production bundle npm start and npx run)', () => {
  const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string; bin: { mloop: string }; scripts: { start: string } };
  const bin = fileURLToPath(new URL(`../../${packageJson.bin.mloop}`, import.meta.url));

  it('prints the version, and reads the bundled data set into a new store (files found beside dist/, as from the files)', async () => {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm run build first`);
    const version = await run(process.execPath, [bin, '--version']);
    expect(version.stdout.trim()).toBe(packageJson.version);
    const dataDir = tempDir();
    const update = await run(process.execPath, [bin, 'update', '--data-dir', dataDir], { env: { ...process.env, MLOOP_LOG_LEVEL: 'warn' } });
    expect(update.stdout).toMatch(/569 rows/);
  });

  it('runs as a program (its #! line), and npm start runs its serve with node options only', async () => {
    expect(readFileSync(bin, 'utf8').split('\n', 1)[0]).toBe('#!/usr/bin/env node');
    const version = await run(bin, ['--version']);
    expect(version.stdout.trim()).toBe(packageJson.version);
    // The build's code cache and the bench start the server with the options they find here (scripts/start-options.mjs).
    expect(packageJson.scripts.start).toMatch(new RegExp(`^node( --[a-z-]+=\\d+)* ${packageJson.bin.mloop.replaceAll('.', '\\.')} serve$`));
  });

  it('answers its first prediction with the serializer compiled at build time, without loading the Node modules that only paths it never takes use (https, http2, tls)', async () => {
    const dataDir = tempDir();
    const env = { ...process.env, MLOOP_LOG_LEVEL: 'info', MLOOP_LOG_FORMAT: 'json' };
    await run(process.execPath, [bin, 'train', '--data-dir', dataDir], { env });
    // The Node modules loaded by then, written when the server is told to stop (before it stops).
    const listFile = join(dataDir, 'loaded.json');
    const preload = writeFile(
      dataDir,
      'loaded.mjs',
      `import { writeFileSync } from 'node:fs';\nimport { createRequire } from 'node:module';\nconst { cache } = createRequire(import.meta.url);\nprocess.on('SIGTERM', () => writeFileSync(${JSON.stringify(listFile)}, JSON.stringify({ node: process.moduleLoadList, files: Object.keys(cache) })));\n`,
    );
    const child = spawn(process.execPath, ['--import', pathToFileURL(preload).href, bin, 'serve', '--port', '0', '--data-dir', dataDir], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let log = '';
      child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
      const base = await waitFor('mloop to listen', () => /mloop listening on (http:\/\/[^ "]+)/.exec(log)?.[1], 30_000, 20);
      const answer = await fetch(`${base}/api/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ row: malignantRow }) });
      expect(answer.status).toBe(200);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    const { node, files } = JSON.parse(readFileSync(listFile, 'utf8')) as { node: string[]; files: string[] };
    const loaded = node.filter((m) => m.startsWith('NativeModule '));
    // Bare names of Node's public modules only: the check would pass vacuously if the list changed form.
    expect(loaded).toContain('NativeModule http');
    // (child_process is loaded all the same: Node's own listen() loads it through node:cluster.)
    expect(loaded.filter((m) => ['NativeModule https', 'NativeModule http2', 'NativeModule tls'].includes(m))).toEqual([]);
    // The answer's serializer is the build's: Fastify's compilers (Ajv, fast-json-stringify) are not loaded.
    expect(files.filter((file) => file.includes(`${sep}serializers${sep}`)).length).toBeGreaterThan(0);
    expect(files.filter((file) => file.endsWith('fastify-compilers.cjs'))).toEqual([]);
  });
});
