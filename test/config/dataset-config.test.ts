import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/schema.js';
import { DEFAULT_NA_VALUES } from '../../src/core/na-values.js';

function problem(dataset: Record<string, unknown>): string {
  try {
    parseConfig({ dataset });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('the dataset reading keys', () => {
  it('default to a CSV with a header, commas and the usual missing-value spellings', () => {
    const { dataset } = parseConfig({});
    expect(dataset).toMatchObject({ header: true, delimiter: ',', naValues: DEFAULT_NA_VALUES, categorical: [], positive: 'M' });
    expect(dataset.columns).toBeUndefined();
    expect(dataset.query).toBeUndefined();
  });

  it('read a label written as a number as its text', () => {
    const { dataset } = parseConfig({ dataset: { label: 'class', positive: 4, naValues: [-999, '?'], classNames: { 2: 'benign', 4: 'malignant' } } });
    expect(dataset.positive).toBe('4');
    expect(dataset.naValues).toEqual(['-999', '?']);
    expect(dataset.classNames).toEqual({ '2': 'benign', '4': 'malignant' });
  });

  it('take a headerless file with its column names, and a tab or semicolon delimiter', () => {
    const { dataset } = parseConfig({ dataset: { header: false, columns: ['id', 'a', 'class'], delimiter: '\t' } });
    expect(dataset.columns).toEqual(['id', 'a', 'class']);
    expect(parseConfig({ dataset: { delimiter: ';' } }).dataset.delimiter).toBe(';');
    expect(problem({ delimiter: '|' })).toMatch(/dataset.delimiter/);
  });

  it('name what is missing or repeated', () => {
    expect(problem({ header: false })).toMatch(/dataset.columns: required when dataset.header is false/);
    expect(problem({ header: false, columns: ['a', 'b', 'a'] })).toMatch(/dataset.columns: "a" is named twice/);
    expect(problem({ query: 'select 1' })).toMatch(/dataset.query: only for a PostgreSQL dataset.source/);
  });

  it('take a PostgreSQL source with a query, without a password in the URL', () => {
    const { dataset } = parseConfig({ dataset: { source: 'postgresql://reader@db:5432/clinic', query: 'select * from cases' } });
    expect(dataset.source).toBe('postgresql://reader@db:5432/clinic');
    expect(problem({ source: 'postgres://reader@db/clinic' })).toMatch(/dataset.query: required when dataset.source is a PostgreSQL URL/);
    expect(problem({ source: 'postgres://reader@db/clinic', query: 'select 1', delimiter: ';' })).toMatch(/not for a PostgreSQL source/);
    const secret = problem({ source: 'postgres://reader:hunter2@db/clinic', query: 'select 1' });
    expect(secret).toMatch(/dataset.source: the URL holds a password: remove it, and give it in PGPASSWORD or MLOOP_DATASET_PASSWORD/);
    expect(secret).not.toMatch(/hunter2/);
  });

  it('take an http(s) source with a user or a query token, but no password in the URL', () => {
    expect(parseConfig({ dataset: { source: 'https://reader@data.example/cases.csv?token=abc' } }).dataset.source).toBe('https://reader@data.example/cases.csv?token=abc');
    const secret = problem({ source: 'https://reader:hunter2@data.example/cases.csv' });
    expect(secret).toMatch(/dataset.source: the URL holds a password: remove it, and give it in MLOOP_DATASET_PASSWORD/);
    expect(secret).not.toMatch(/hunter2/);
    const unparseable = problem({ source: 'https://data example/cases.csv?token=hunter2' });
    expect(unparseable).toMatch(/dataset.source: not a valid URL/);
    expect(unparseable).not.toMatch(/hunter2/);
  });

  it('never repeat a value that may hold a secret in a schema error', () => {
    const invalid = (input: unknown) => {
      try {
        parseConfig(input);
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('expected a ConfigError');
    };
    for (const input of [{ notify: { webhook: { url: 'ftp://hooks.example/services/hunter2' } } }, { notify: { webhook: { url: 'https://hooks.example', headers: { authorization: 7 } } } }, { store: { url: 'mysql://u:hunter2@db/x' } }, { dataset: { source: '' } }]) {
      const message = invalid(input);
      expect(message).toMatch(/invalid configuration/);
      expect(message).not.toMatch(/hunter2|got 7/);
    }
  });
});

describe('dataset.units', () => {
  it('states none by default (the WDBC documentation names no unit), and takes a text per feature', () => {
    expect(parseConfig({}).dataset.units).toEqual({});
    expect(parseConfig({ dataset: { units: { age: 'years', tumour_size: 'mm' } } }).dataset.units).toEqual({ age: 'years', tumour_size: 'mm' });
    expect(problem({ units: { age: 3 } })).toMatch(/dataset\.units\.age/);
    expect(problem({ units: { age: '' } })).toMatch(/dataset\.units\.age/);
  });
});
