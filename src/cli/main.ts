#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { trainingModes } from '../core/training-mode.js';
import type { TrainingMode } from '../core/training-mode.js';
import type { JobKind } from '../core/schedule-policy.js';
import { jobKinds } from '../core/schedule-policy.js';
import type { Application } from '../app/application.js';
import type { ExportFormat } from '../app/export-format.js';
import { exportFormats } from '../app/export-format.js';
import type { CommonOptions } from './context.js';
import type { ServeOptions } from './serve-command.js';
import { packageVersion } from '../http/package-info.js';
import { exitCodes } from './exit-codes.js';
import { addHelpExamples } from './help-examples.js';
import type { TrainOptions } from './train-options.js';
import { trainOptions } from './train-options.js';

/**
 * Opens the application for one command. The command modules, like the application itself, are
 * loaded on demand: each command loads only what it uses.
 */
const withApplication = async <T>(options: CommonOptions, body: (app: Application) => Promise<T>): Promise<T> =>
  (await import('./context.js')).withApplication(options, body);

const program = new Command('mloop')
  .description('A small, complete MLOps service for a tabular classifier (scikit-learn-exact SVM, model registry, serving)')
  .version(packageVersion(), '-V, --version', 'print the version')
  // One line for a mistyped option, as for every other error (not the whole help after it), and the same `mloop:` prefix.
  .showHelpAfterError('(add --help for the options and examples)')
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'mloop: ')) })
  .addHelpText(
    'after',
    `
Exit codes: ${exitCodes.ok} done; ${exitCodes.error} an error (one line on stderr says what); ${exitCodes.rejected} a training (or a threshold change) finished but the promotion gate rejected the new version.
Logs: MLOOP_LOG_LEVEL (silent, fatal, error, warn, info, debug, trace); readable on a terminal, JSON otherwise or with MLOOP_LOG_FORMAT=json.`,
  );

/** Every command reads the same configuration and store as the server. */
const common = (command: Command) =>
  command
    .addOption(new Option('-c, --config <file>', 'configuration file, JSON or YAML (env MLOOP_CONFIG)'))
    .addOption(new Option('-d, --data-dir <dir>', 'where the SQLite store lives (env MLOOP_DATA_DIR, default ./.mloop)'));

const modeOption = () =>
  new Option('-m, --mode <mode>', 'training mode (default: training.mode)').choices(trainingModes).argParser((value) => {
    if (!(trainingModes as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${trainingModes.join(', ')}`);
    return value as TrainingMode;
  });

common(program.command('serve'))
  .description('start the HTTP service: predictions, updates, training, registry (first start trains a model)')
  .option('-p, --port <port>', 'port (env PORT, default 8080)')
  .option('-H, --host <host>', 'interface (env HOST, default 127.0.0.1)')
  // Loaded on demand: the other commands need no HTTP framework.
  .action(async (opts: ServeOptions) => (await import('./serve-command.js')).serveCommand(opts));

trainOptions(common(program.command('train')))
  .description('train on the latest data snapshot, evaluate on the test split, print the report; the promotion gate decides whether the new version serves (exit code 3 if it rejects it)')
  .addOption(modeOption())
  .option('--json', 'print the result as one JSON document')
  .action((opts: CommonOptions & TrainOptions & { mode?: TrainingMode; json?: boolean }) => withApplication(opts, async (app) => void (await (await import('./train-command.js')).trainCommand(app, opts))));

common(program.command('update'))
  .description('re-read the data set from dataset.source and keep it as a snapshot')
  .option('--json', 'print the result as JSON')
  .action((opts: CommonOptions & { json?: boolean }) => withApplication(opts, async (app) => (await import('./update-command.js')).updateCommand(app, opts)));

common(program.command('run'))
  .description('run a scheduled job now and wait for it: update, train (training.mode) or check')
  .argument('<job>', jobKinds.join(' | '), (value) => {
    if (!(jobKinds as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${jobKinds.join(', ')}`);
    return value as JobKind;
  })
  .option('--json', 'print the run as JSON')
  .action((job: JobKind, opts: CommonOptions & { json?: boolean }) => withApplication(opts, async (app) => (await import('./run-command.js')).runCommand(app, job, opts)));

const runs = program.command('runs').description('background work: data updates, trainings, checks');
common(runs.command('list'))
  .description('the newest runs: id, kind, who started it, status, progress, when, error')
  .option('-n, --limit <count>', 'how many', (v) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('expected a count from 1 to 1000');
    return n;
  }, 20)
  .option('--json', 'print JSON')
  .action((opts: CommonOptions & { json?: boolean; limit: number }) => withApplication(opts, async (app) => (await import('./runs-command.js')).runsListCommand(app, opts)));
common(runs.command('cancel'))
  .description('cancel a queued run, or stop a running training (its worker threads terminated); waits until it has stopped')
  .argument('<id>', 'run id', (v) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a run id such as 12');
    return n;
  })
  .option('--json', 'print the run as JSON')
  .action((id: number, opts: CommonOptions & { json?: boolean }) => withApplication(opts, async (app) => (await import('./runs-command.js')).cancelCommand(app, id, opts)));

common(program.command('predict'))
  .description('predict the rows of a CSV file (header with feature names) or of stdin')
  .option('-i, --input <file>', 'CSV file, - for stdin', '-')
  .addOption(new Option('-f, --format <format>', 'output format').choices(['csv', 'json']).default('csv'))
  .option('--log', 'keep the rows in the production prediction log (they then await a diagnosis and count as drift input); off by default')
  .action((opts: CommonOptions & { input?: string; format: 'csv' | 'json'; log?: boolean }) => withApplication(opts, async (app) => (await import('./predict-command.js')).predictCommand(app, opts)));

common(program.command('report'))
  .description("print the active model's classification report, or the monitored metric's history")
  .option('--history', 'the monitored metric over time')
  .option('--json', 'print JSON')
  .option('--html <file>', "write the active model's card (one self-contained HTML page to print and sign) to <file>")
  .action((opts: CommonOptions & { history?: boolean; json?: boolean; html?: string }) =>
    withApplication(opts, async (app) => (opts.html !== undefined ? (await import('./model-card-command.js')).modelCardCommand(app, { html: opts.html }) : (await import('./report-command.js')).reportCommand(app, opts))),
  );

const models = program.command('models').description('the model registry');
common(models.command('list'))
  .description('list model versions')
  .option('--json', 'print JSON')
  .action((opts: CommonOptions & { json?: boolean }) => withApplication(opts, async (app) => (await import('./report-command.js')).modelsListCommand(app, opts)));
const forceOptions = (command: Command) =>
  command
    .option('--force', 'put a version the promotion gate rejected into service anyway (needs --reason)')
    .option('--reason <text>', 'why: kept in the audit log');

const versionArgument = (v: string) => {
  const n = Number(v.replace(/^v/, ''));
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a version number such as 3 or v3');
  return n;
};

forceOptions(
  common(models.command('promote'))
    .description('make a version the active one (one the promotion gate rejected needs --force and --reason)')
    .argument('<version>', 'model version', versionArgument),
).action((version: number, opts: CommonOptions & { force?: boolean; reason?: string }) =>
  withApplication(opts, async (app) => {
    const m = await app.registry.promote(version, { actor: 'cli', force: opts.force, reason: opts.reason });
    const forced = m.gateVerdict === 'rejected' ? ` (forced: the gate rejected it; reason recorded in the audit log: ${JSON.stringify(opts.reason ?? '')})` : '';
    process.stdout.write(`v${m.version} is now active${forced}\n`);
  }),
);
forceOptions(common(models.command('rollback')).description('make the previously active version active again (one the gate rejected needs --force and --reason)')).action(
  (opts: CommonOptions & { force?: boolean; reason?: string }) =>
    withApplication(opts, async (app) => {
      const m = await app.registry.rollback({ actor: 'cli', force: opts.force, reason: opts.reason });
      process.stdout.write(`rolled back: v${m.version} is now active\n`);
    }),
);
common(models.command('export'))
  .description("write a version's whole pipeline as a file other engines run: ONNX, for ONNX Runtime (see the README)")
  .argument('<version>', 'model version', versionArgument)
  .addOption(new Option('-f, --format <format>', 'file format').choices(exportFormats).default('onnx'))
  .option('-o, --output <file>', 'where to write it, - for stdout (default: mloop-v<version>.onnx)')
  .action((version: number, opts: CommonOptions & { format: ExportFormat; output?: string }) =>
    withApplication(opts, async (app) => (await import('./export-command.js')).exportCommand(app, version, opts)),
  );
common(models.command('threshold'))
  .description("save a two-class version's fit at another decision threshold as a new version, judged by the promotion gate (exit 3 when it rejects it)")
  .argument('<version>', 'model version', versionArgument)
  .requiredOption('--at <threshold>', "the decision threshold of the positive class (libsvm's boundary is 0)")
  .requiredOption('--reason <text>', 'why: kept in the audit log')
  .option('--json', 'print JSON')
  .action((version: number, opts: CommonOptions & { at: string; reason: string; json?: boolean }) =>
    withApplication(opts, async (app) => (await import('./threshold-command.js')).thresholdCommand(app, version, opts)),
  );
common(models.command('audit'))
  .description('the audit log of what served: promotions, rollbacks, gate activations, newest first')
  .option('--json', 'print JSON')
  .action((opts: CommonOptions & { json?: boolean }) => withApplication(opts, async (app) => (await import('./report-command.js')).auditCommand(app, opts)));

const rollout = program.command('rollout').description('the shadow or canary rollout: status (default), promote, abort');
common(rollout.command('status', { isDefault: true }))
  .description('the rollout under way (else the last one): both models on the shared confirmed cases, McNemar p, the verdict so far')
  .option('--json', 'print JSON')
  .action((opts: CommonOptions & { json?: boolean }) => withApplication(opts, async (app) => (await import('./rollout-command.js')).rolloutStatusCommand(app, opts)));
common(rollout.command('promote'))
  .description('put the challenger into service now, before the rule decides (forced: needs --reason)')
  .option('--force', 'accepted for symmetry with models promote: promoting before the rule decides is always forced')
  .requiredOption('--reason <text>', 'why: kept in the audit log')
  .action((opts: CommonOptions & { reason: string }) =>
    withApplication(opts, async (app) => {
      const r = await app.rollouts.promote({ actor: 'cli', reason: opts.reason });
      process.stdout.write(`rollout ${r.id} ended: v${r.challengerVersion} is now active (forced; reason recorded in the audit log)\n`);
    }),
  );
common(rollout.command('abort'))
  .description('end the rollout under way: the challenger is retired, the champion keeps serving')
  .option('--reason <text>', 'why: kept in the audit log')
  .action((opts: CommonOptions & { reason?: string }) =>
    withApplication(opts, async (app) => {
      const r = await app.rollouts.abort({ actor: 'cli', reason: opts.reason });
      process.stdout.write(`rollout ${r.id} aborted: v${r.challengerVersion} retired, v${r.championVersion} keeps serving\n`);
    }),
  );

addHelpExamples(program);

// `mloop predict … | head`: the reader has gone. Stop quietly, as Unix tools do, rather than with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

// No top-level await: the production build is one CommonJS file (scripts/bundle.mjs), which V8 can
// load from a code cache; an ES module cannot be, on Node 20.
program.parseAsync(process.argv).catch(async (error: unknown) => {
  // Loaded on error only: it knows every error class, hence the modules that define them.
  process.stderr.write(`mloop: ${(await import('./user-message.js')).userMessage(error)}\n`);
  process.exitCode = exitCodes.error;
});
