#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../config/load-config.js';
import { trainingModes } from '../core/pipeline.js';
import type { TrainingMode } from '../core/pipeline.js';
import { userMessage } from './user-message.js';
import { trainCommand } from './train-command.js';

const program = new Command('mloop')
  .description('A small, complete MLOps service for a tabular classifier')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

const configOption = () => new Option('-c, --config <file>', 'configuration file (JSON or YAML); also MLOOP_CONFIG');
const modeOption = () =>
  new Option('-m, --mode <mode>', 'training mode (default: training.mode)').choices(trainingModes).argParser((value) => {
    if (!(trainingModes as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${trainingModes.join(', ')}`);
    return value as TrainingMode;
  });

program
  .command('train')
  .description('load the data set, train, evaluate on the test split and print the report')
  .addOption(configOption())
  .addOption(modeOption())
  .option('--json', 'print the result as one JSON document')
  .action(async (opts: { config?: string; mode?: TrainingMode; json?: boolean }) => {
    await trainCommand(loadConfig(opts.config), { mode: opts.mode, json: opts.json });
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`mloop: ${userMessage(error)}\n`);
  process.exitCode = 1;
}
