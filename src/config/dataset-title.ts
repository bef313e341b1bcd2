import type { Config } from './schema.js';

/** The bundled data set's name (UCI's title of data/wdbc.csv). */
const bundledName = 'Breast Cancer Wisconsin (Diagnostic)';

/**
 * What the classifier is called (the dashboard's subtitle, the model card's title): `dataset.title`,
 * else the data set's name: the bundled data's, or the last part of the source's path without its
 * extension (a file, a URL, a PostgreSQL database), so a model of `data/iris.csv` is an "iris classifier".
 */
export function datasetTitle(dataset: Pick<Config['dataset'], 'title' | 'source'>): string {
  if (dataset.title) return dataset.title;
  if (dataset.source === undefined) return `${bundledName} classifier`;
  let path = dataset.source;
  try {
    path = new URL(dataset.source).pathname;
  } catch {
    // A file path: used as it is.
  }
  const name = path.split(/[\\/]/).filter((part) => part !== '').pop()?.replace(/\.[^.]*$/, '') ?? '';
  return `${name || 'tabular'} classifier`;
}
