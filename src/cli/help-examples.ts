import type { Command } from 'commander';

/** One example: the command line as a person types it (in the clone), and what it does. */
type Example = readonly [line: string, what?: string];

/**
 * The examples each command's `--help` ends with, by command path (`''` is `mloop` itself). Each
 * runs as written in a fresh clone, one after the other: test/cli/help-examples.test.ts runs them
 * all (in a temporary directory holding the clone's `data/`, after the state an example needs).
 */
export const helpExamples: Readonly<Record<string, readonly Example[]>> = {
  '': [
    ['mloop train', 'train a model on the bundled data set (training.mode)'],
    ['mloop predict -i data/wdbc.csv', 'predict the rows of a CSV file'],
    ['mloop serve', 'the HTTP service and its dashboard on http://127.0.0.1:8080'],
  ],
  serve: [
    ['mloop serve', 'http://127.0.0.1:8080, the store in ./.mloop (trains a model on its first start)'],
    ['mloop serve --port 8081 --data-dir ./demo-store', 'another port, another store'],
  ],
  train: [
    ['mloop train', 'training.mode (normalized unless configured)'],
    ['mloop train --mode normalized --C 10 --gamma 0.1'],
    ['mloop train --mode gridsearch', 'C x gamma grid, 5-fold CV, progress with an ETA on a terminal'],
    ['mloop train --mode gridsearch --cv 3 --json'],
  ],
  update: [
    ['mloop update', 're-read dataset.source (the bundled data set unless configured)'],
    ['mloop update --json'],
  ],
  run: [
    ['mloop run update', 'as the scheduler does at 08:00'],
    ['mloop run train', 'as at 08:05: exit code 3 if the promotion gate rejects the version'],
    ['mloop run check --json', 'as at 08:06: the metric on the latest snapshot, live recall, drift'],
  ],
  runs: [['mloop runs list']],
  'runs list': [
    ['mloop runs list', 'the newest runs, with the ids `mloop runs cancel` takes'],
    ['mloop runs list --limit 5 --json'],
  ],
  'runs cancel': [
    ['mloop runs list', 'find the run: here run 2, a grid search another terminal started'],
    ['mloop runs cancel 2', 'its process stops it within about 5 s'],
  ],
  predict: [
    ['mloop predict -i data/wdbc.csv', 'CSV out: line, label, class name, decision value, probabilities'],
    ['mloop predict -i data/wdbc.csv -f json > predictions.json'],
    ['head -3 data/wdbc.csv | mloop predict --log', 'from stdin; --log keeps them as production cases awaiting a diagnosis'],
  ],
  report: [
    ['mloop report', "the active model's classification report and curves"],
    ['mloop report --history', 'the monitored metric at every training and check'],
    ['mloop report --html model-card.html', 'the model card, to print and sign'],
  ],
  models: [['mloop models list'], ['mloop models audit']],
  'models list': [['mloop models list'], ['mloop models list --json']],
  'models promote': [
    ['mloop models list', 'here v1 serves and the gate rejected v2'],
    ['mloop models promote 2 --force --reason "reviewed: its recall is fine on our cases"', 'a rejected version needs --force and a reason'],
    ['mloop models promote 1'],
  ],
  'models rollback': [['mloop models rollback', 'the version that served before the active one serves again']],
  'models export': [
    ['mloop models export 1', 'writes mloop-v1.onnx'],
    ['mloop models export 1 -o model.onnx'],
  ],
  'models audit': [['mloop models audit'], ['mloop models audit --json']],
  'models threshold': [
    ['mloop models threshold 1 --at -0.5 --reason "fewer missed tumours, more false alarms"', 'v2: v1\'s fit deciding M from decision -0.5, if the gate passes it'],
  ],
  rollout: [['mloop rollout', 'the same as `mloop rollout status`']],
  'rollout status': [
    ['mloop rollout status', 'with rollout.strategy shadow or canary, after a training that passed the gate'],
    ['mloop rollout status --json'],
  ],
  'rollout promote': [['mloop rollout promote --reason "the challenger\'s answers were reviewed"', 'the challenger serves now (recorded as forced)']],
  'rollout abort': [['mloop rollout abort --reason "not now"', 'the challenger is retired, the champion serves on']],
};

/** Each example's line, after a `#` comment saying what it does (a shell ignores it: copy both). */
function examplesText(examples: readonly Example[]): string {
  return `\nExamples:\n${examples.map(([line, what]) => `${what ? `  # ${what}\n` : ''}  ${line}`).join('\n')}`;
}

/** Ends every command's `--help` with its examples; a command without any is a mistake caught here. */
export function addHelpExamples(command: Command, path: readonly string[] = []): void {
  const key = path.join(' ');
  const examples = helpExamples[key];
  if (!examples) throw new Error(`no --help examples for "mloop ${key}"`);
  command.addHelpText('after', examplesText(examples));
  for (const sub of command.commands) addHelpExamples(sub, [...path, sub.name()]);
}
