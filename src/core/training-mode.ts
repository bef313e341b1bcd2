/**
 * The training modes (`training.mode`, `mloop train --mode`), apart from the training code, which
 * the CLI loads only to train.
 */
export const trainingModes = ['basic', 'normalized', 'gridsearch'] as const;
export type TrainingMode = (typeof trainingModes)[number];
