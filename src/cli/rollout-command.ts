import type { Application } from '../app/application.js';
import type { RolloutStatus } from '../app/rollouts.js';
import type { SharedPerformance } from '../core/rollout-rule.js';

const figure = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(4));

/** `mloop rollout status`: the rollout under way (else the last), both models on the shared cases. */
export async function rolloutStatusCommand(app: Application, options: { json?: boolean }): Promise<void> {
  const status = await app.rollouts.status();
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ strategy: app.config.rollout.strategy, rollout: status }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${status === null ? `no rollout yet (rollout.strategy ${app.config.rollout.strategy})` : describe(status, app.config.rollout.minCases)}\n`);
}

function describe(status: RolloutStatus, minCases: number): string {
  const { rollout: r, score } = status;
  const state = r.endedAt === null ? `under way since ${r.startedAt}, ends without promotion by ${status.endsBy}` : `ended ${r.endedAt}: ${r.outcome} (${r.decidedBy})`;
  const canary = r.strategy === 'canary' ? ` ${r.canaryPercent} %` : '';
  const row = (role: string, p: SharedPerformance) => `  ${role.padEnd(11)}v${String(p.version).padEnd(5)}${figure(p.value).padEnd(9)}${figure(p.recall).padEnd(9)}${JSON.stringify(p.confusionMatrix)}`;
  return [
    `rollout ${r.id} (${r.strategy}${canary}): v${r.challengerVersion} challenges v${r.championVersion}, ${state}`,
    `shared confirmed cases: ${score.shared}, positives ${score.sharedPositives} of ${minCases} needed`,
    `  model      ver   ${status.metric.padEnd(9).slice(0, 9)}recall   confusion matrix (${score.labels.join(', ')})`,
    row('champion', score.champion),
    row('challenger', score.challenger),
    `exact McNemar p = ${score.mcnemar.pValue} (${score.mcnemar.b} only the champion got right, ${score.mcnemar.c} only the challenger)`,
    r.endedAt === null ? `so far: ${status.verdict.decision}: ${status.verdict.reason}` : `reason: ${r.reason ?? ''}`,
  ].join('\n');
}
