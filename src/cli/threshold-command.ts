import type { Application } from '../app/application.js';
import { modelArtifactOf } from '../app/held-out-rows.js';
import { InvalidInputError } from '../app/errors.js';
import { Terminal } from './terminal.js';
import { setTrainingExitCode, trainingSummary } from './train-command.js';

/**
 * `mloop models threshold V --at X --reason R`: the fit of version V at decision threshold X as a
 * new version, judged by the promotion gate; exits 3 when the gate rejects it, as `mloop train` does.
 */
export async function thresholdCommand(app: Application, version: number, options: { readonly at: string; readonly reason: string; readonly json?: boolean }): Promise<void> {
  const at = Number(options.at);
  if (options.at.trim() === '' || !Number.isFinite(at)) throw new InvalidInputError(`--at: expected a number (the decision threshold of ${app.config.dataset.positive}), got ${JSON.stringify(options.at)}`);
  const previous = modelArtifactOf(await app.registry.get(version)).decisionThreshold?.threshold ?? 0;
  const result = await app.trainings.retune(version, at, { actor: 'cli', reason: options.reason });
  const { pipeline: _pipeline, reference: _reference, ...model } = await app.registry.get(result.model.version);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ version: model.version, fromVersion: version, threshold: at, previousThreshold: previous, gateVerdict: model.gateVerdict, servingStatus: model.servingStatus, activated: result.activated, gateReason: result.gateReason, runId: result.runId }, null, 2)}\n`);
  } else {
    const heading = `v${model.version}: the fit of v${version} at decision threshold ${at} (was ${previous}), evaluated on its test split (snapshot ${model.snapshotId})`;
    process.stdout.write(trainingSummary(model, result, app.config.dataset.positive, new Terminal(process.stdout), heading));
  }
  setTrainingExitCode(model);
}
