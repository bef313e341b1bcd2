import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { bundledCsv, tempDir, tutorialLayoutCsv, writeFile } from '../helpers/fixtures.js';
import { cli, mloop, mloopOnTerminal } from './run-cli.js';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string; bin: Record<string, string> };
const escape = '\x1b[';
const runShell = async (line: string) => {
  try {
    return await promisify(execFile)('bash', ['-c', line]);
  } catch (e) {
    return e as { stdout: string; stderr: string };
  }
};

describe('mloop --version and first steps', () => {
  it('prints the version of package.json, whose bin names the built command', async () => {
    expect(packageJson.bin.mloop).toBe('dist/bundle/mloop.cjs');
    const { code, stdout } = await mloop(['--version']);
    expect(code).toBe(0);
    expect(stdout).toBe(`${packageJson.version}\n`);
  });

  it('says when it creates a store, and that an empty one needs `mloop train`', async () => {
    const dir = join(tempDir(), 'mistyped');
    const report = await mloop(['report', '--data-dir', dir]);
    expect(report.newStore).toBe(dir);
    expect(report.code).toBe(1);
    expect(report.stderr).toBe('mloop: no model has been trained in this store yet: run `mloop train` (or `mloop serve`, which trains one on its first start)\n');
    const list = await mloop(['models', 'list', '--data-dir', dir]);
    expect(list.newStore).toBeNull();
    expect(list.stdout).toBe('no model versions yet: run `mloop train`\n');
  });

  it('a missing input file, a log level or format not in the list: one line naming the choices', async () => {
    const dir = tempDir();
    const missing = await mloop(['predict', '-i', 'missing.csv', '--data-dir', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('mloop: cannot read input file missing.csv: no such file\n');
    for (const command of [['update'], ['serve', '--port', '0']]) {
      const level = await mloop([...command, '--data-dir', dir], { MLOOP_LOG_LEVEL: 'verbose' }, 50_000);
      expect(level.code).toBe(1);
      expect(level.stderr).toBe('mloop: MLOOP_LOG_LEVEL: expected one of silent, fatal, error, warn, info, debug, trace, got "verbose"\n');
    }
    const format = await mloop(['update', '--data-dir', dir], { MLOOP_LOG_FORMAT: 'xml' });
    expect(format.stderr).toBe('mloop: MLOOP_LOG_FORMAT: expected one of pretty, json, got "xml"\n');
  });

  it('a mistyped option or argument: one line naming the choices, then where help is (not the whole help)', async () => {
    const mode = await mloop(['train', '--mode', 'xgboost']);
    expect(mode.code).toBe(1);
    expect(mode.stderr).toBe("mloop: option '-m, --mode <mode>' argument 'xgboost' is invalid. expected one of basic, normalized, gridsearch\n(add --help for the options and examples)\n");
    const job = await mloop(['run', 'foo']);
    expect(job.stderr).toBe("mloop: command-argument value 'foo' is invalid for argument 'job'. expected one of update, train, check\n(add --help for the options and examples)\n");
  });

  it('a port in use stops `mloop serve` before it opens or trains anything, naming the flag', async () => {
    const holder = createServer().listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const { port } = holder.address() as AddressInfo;
    try {
      const dir = tempDir();
      const serve = await mloop(['serve', '--port', String(port), '--data-dir', dir], {}, 50_000);
      expect(serve.code).toBe(1);
      expect(serve.stdout).toBe('');
      expect(serve.stderr).toBe(
        `mloop: port ${port} on 127.0.0.1 is already in use, perhaps by another mloop serve: stop that process (\`ss -ltnp 'sport = :${port}'\` names it) or choose another port with --port (or PORT)\n`,
      );
      expect(existsSync(join(dir, 'mloop.sqlite'))).toBe(false);
    } finally {
      holder.close();
    }
  });
});

describe('training from the command line', () => {
  it('takes --C --gamma --cv, lists them, and exits 3 when the gate rejects the version, `run train` too', async () => {
    const dir = tempDir();
    const badCv = await mloop(['train', '--cv', '1', '--data-dir', dir]);
    expect(badCv.code).toBe(1);
    expect(badCv.stderr).toContain(`option '--cv <folds>' argument '1' is invalid. expected an integer from 2 to 20, got "1"`);

    const first = await mloop(['train', '--mode', 'normalized', '--C', '10', '--gamma', '0.1', '--data-dir', dir]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('model v1 (normalized)');
    expect(first.stdout).toContain('v1 is now active');
    // Piped: no colours, no symbols.
    expect(first.stdout).not.toContain(escape);
    expect(first.stdout).not.toMatch(/[✔✖⚠]/);

    const rejected = await mloop(['train', '--mode', 'basic', '--data-dir', dir]);
    expect(rejected.code).toBe(3);
    expect(rejected.stdout).toContain('v2 not activated: recall of M 0.8333 is below the threshold 0.9');

    const config = writeFile(dir, 'basic.yaml', 'training:\n  mode: basic\n');
    const scheduled = await mloop(['run', 'train', '--config', config, '--data-dir', dir]);
    expect(scheduled.code).toBe(3);
    expect(scheduled.stdout).toMatch(/^run \d+ \(train\): succeeded\nmodel v3 \(basic\) trained on snapshot 1 in \d+ ms\n/);
    expect(scheduled.stdout).toContain('recall of M: 0.8333 < threshold 0.9: BELOW THRESHOLD');
    expect(scheduled.stdout).not.toContain('{');

    const list = await mloop(['models', 'list', '--data-dir', dir]);
    const rows = list.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^version +serving +gate +mode +C +gamma +snapshot +recall of M +created +gate reason$/);
    expect(rows[1]).toMatch(/^v3 +candidate +rejected +basic +1 +scale +1 +0\.8333 /);
    expect(rows[3]).toMatch(/^v1 +active +passed +normalized +10 +0\.1 +1 +0\.9792 +\S+$/);
  });

  it('on a terminal: symbols, colours (none with NO_COLOR), and grid-search progress with an ETA', async () => {
    const dir = tempDir();
    const grid = await mloopOnTerminal(['train', '--mode', 'gridsearch', '--data-dir', dir]);
    expect(grid.code).toBe(0);
    expect(grid.output).toMatch(/grid search \[[#.]{30}\] \d+\/80 fits, \d+s elapsed, ETA \d+s/);
    expect(grid.output).toContain(`${escape}32m✔${escape}39m recall of M: 0.9792 >= threshold 0.9: PASS`);
    const plain = await mloopOnTerminal(['train', '--mode', 'basic', '--data-dir', dir], { NO_COLOR: '1' });
    expect(plain.code).toBe(3);
    expect(plain.output).toContain('✖ recall of M: 0.8333 < threshold 0.9: BELOW THRESHOLD');
    expect(plain.output).not.toContain(escape);
  });
});

describe('mloop predict', () => {
  it('keeps its rows out of the production prediction log unless --log', async () => {
    const dir = tempDir();
    expect((await mloop(['train', '--mode', 'basic', '--data-dir', dir], { MLOOP_CONFIG: writeFile(dir, 'c.yaml', 'monitor:\n  serveBelowThreshold: true\n') })).code).toBe(3);
    const input = writeFile(dir, 'rows.csv', tutorialLayoutCsv(3));
    const logged = () => (new Database(join(dir, 'mloop.sqlite'), { readonly: true }).prepare('SELECT count(*) AS n FROM predictions').get() as { n: number }).n;
    const trial = await mloop(['predict', '--input', input, '--data-dir', dir]);
    expect(trial.code).toBe(0);
    expect(trial.stdout.split('\n')[1]).toMatch(/^2,M,Malign,[-\d.e]+,0,[\d.e-]+,[\d.e-]+,,,1,,$/);
    expect(logged()).toBe(0);
    const kept = await mloop(['predict', '--log', '--input', input, '--data-dir', dir]);
    expect(kept.stdout.split('\n')[1]).toMatch(/^2,M,Malign,[-\d.e]+,0,[\d.e-]+,[\d.e-]+,,,1,[\w-]+,$/);
    expect(logged()).toBe(3);
  });

  it('names the features far outside the training range (column out_of_range, and a warning on stderr)', async () => {
    const dir = tempDir();
    expect((await mloop(['train', '--data-dir', dir])).code).toBe(0);
    const [header, ...rows] = tutorialLayoutCsv(3).split('\r\n');
    const far = rows[1].replace(/^(\d+,[^,]+,)[^,]+/, '$1-5');
    const answer = await mloop(['predict', '--input', writeFile(dir, 'far.csv', [header, rows[0], far, rows[2]].join('\n')), '--data-dir', dir]);
    expect(answer.code).toBe(0);
    const lines = answer.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/,prediction_id,out_of_range$/);
    expect(lines.map((l) => l.split(',').at(-1))).toEqual(['out_of_range', '', 'radius_mean', '']);
    expect(answer.stderr).toBe('1 of 3 rows have values far outside the training range (column out_of_range): the model extrapolates there\n');
  });

  it('stops quietly when its reader has gone (`| head`), and says what it reads from a terminal or an empty stdin', async () => {
    const dir = tempDir();
    expect((await mloop(['train', '--data-dir', dir])).code).toBe(0);
    // Five times the data set: more than a pipe's buffer, so the writes outlive `head`.
    const [header, ...rows] = bundledCsv.trimEnd().split('\n');
    const big = writeFile(dir, 'big.csv', [header, ...Array.from({ length: 5 }, () => rows).flat()].join('\n'));
    const { stdout, stderr } = await runShell(`'${process.execPath}' '${cli}' predict -i '${big}' --data-dir '${dir}' | head -2`);
    expect(stdout.split('\n')[0]).toMatch(/^line,label,/);
    // No stack trace (EPIPE); at most the out-of-range note, written before the pipe broke.
    expect(stderr).toMatch(/^(\d+ of 2845 rows have values far outside the training range[^\n]*\n)?$/);
    const empty = await runShell(`'${process.execPath}' '${cli}' predict --data-dir '${dir}' < /dev/null; echo "exit $?"`);
    expect(empty.stderr).toBe('mloop: standard input held no CSV: give a file with --input FILE, or pipe one in (a header line naming the features, then one row a line)\n');
    expect(empty.stdout).toBe('exit 1\n');
    const onTerminal = await mloopOnTerminal(['predict', '--data-dir', dir]);
    expect(onTerminal.output).toContain('mloop: reading CSV rows from standard input (a header line, then rows; Ctrl-D ends them); give a file with --input FILE\n');
  });

  it('predicts a file longer than server.maxBatchRows in batches, and names the line of a bad cell', async () => {
    const dir = tempDir();
    const config = writeFile(dir, 'c.yaml', 'server:\n  maxBatchRows: 2\n');
    expect((await mloop(['train', '--config', config, '--data-dir', dir])).code).toBe(0);
    const [header, ...rows] = tutorialLayoutCsv(5).split('\r\n');
    const whole = await mloop(['predict', '--input', writeFile(dir, 'rows.csv', [header, ...rows].join('\n')), '--config', config, '--data-dir', dir]);
    expect(whole.code).toBe(0);
    expect(whole.stdout.trimEnd().split('\n').map((l) => l.split(',')[0])).toEqual(['line', '2', '3', '4', '5', '6']);
    // The fourth row (line 5) is in the second batch.
    const bad = [header, ...rows.slice(0, 3), rows[3].replace(/^(\d+,[^,]+,)[^,]+/, '$1abc'), rows[4]].join('\n');
    const refused = await mloop(['predict', '--input', writeFile(dir, 'bad.csv', bad), '--config', config, '--data-dir', dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^mloop: \S+bad\.csv, line 5, feature "radius_mean": expected a finite number, got the string "abc"\n$/);
  });
});

describe('mloop serve logs', () => {
  it('readable lines on a terminal, JSON with MLOOP_LOG_FORMAT=json', async () => {
    const dir = tempDir();
    const config = writeFile(dir, 'c.yaml', 'schedule:\n  enabled: false\ntraining:\n  mode: basic\nmonitor:\n  serveBelowThreshold: true\n');
    const listening = /mloop listening on http:\/\/127\.0\.0\.1:\d+/;
    const pretty = await mloopOnTerminal(['serve', '--port', '0', '--config', config, '--data-dir', dir], {}, listening);
    expect(pretty.output).toMatch(new RegExp(`^\\[\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\] ${escape.replace('[', '\\[')}32mINFO${escape.replace('[', '\\[')}39m.*mloop listening on`, 'm'));
    expect(pretty.output).toContain(`creating a new store at ${dir}`);
    expect(pretty.output).not.toContain('{"level"');
    // Said once: not also as Fastify's "Server listening at".
    expect(pretty.output.match(/listening/g)).toHaveLength(1);
    const json = await mloopOnTerminal(['serve', '--port', '0', '--config', config, '--data-dir', dir], { MLOOP_LOG_FORMAT: 'json' }, listening);
    const lines = json.output.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    const last = JSON.parse(lines.find((l) => listening.test(l)) ?? '{}') as { level: number; msg: string };
    expect(last.level).toBe(30);
    expect(last.msg).toMatch(listening);
  });
});
