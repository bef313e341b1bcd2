import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import type { Gamma } from '../core/svc/svc.js';
import { gammaRules } from '../core/svc/svc.js';
import { trainingLimits } from '../core/training-limits.js';

export interface TrainOptions {
  readonly C?: number;
  readonly gamma?: Gamma;
  readonly cv?: number;
}

const { C, gamma, cv } = trainingLimits;

/** A number within the same bounds as `training.*` and `POST /api/v1/train`. */
function number(value: string, min: number, max: number, { integer = false, or = '' } = {}): number {
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new InvalidArgumentError(`expected ${or}${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** `--C`, `--gamma` and `--cv`: the parameters of `POST /api/v1/train`'s body; what is not given comes from `training.*`. */
export function trainOptions(command: Command): Command {
  return command
    .addOption(new Option('--C <number>', `SVC regularisation, ${C.min} to ${C.max} (default: training.C; gridsearch uses its grid)`).argParser((v) => number(v, C.min, C.max)))
    .addOption(
      new Option('--gamma <value>', `RBF kernel coefficient: ${gammaRules.join(', ')} or a number from ${gamma.min} to ${gamma.max} (default: training.gamma)`).argParser((v): Gamma =>
        (gammaRules as readonly string[]).includes(v) ? (v as Gamma) : number(v, gamma.min, gamma.max, { or: `${gammaRules.join(', ')} or ` }),
      ),
    )
    .addOption(new Option('--cv <folds>', `grid-search folds, ${cv.min} to ${cv.max} (default: training.cv)`).argParser((v) => number(v, cv.min, cv.max, { integer: true })));
}
