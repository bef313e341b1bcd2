import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCsvColumn } from '../../src/core/csv-column.js';
import { readCsvTable } from '../../src/core/csv-table.js';
import type { DatasetOptions } from '../../src/core/dataset.js';
import { DatasetError, parseDataset } from '../../src/core/dataset.js';
import { naValuesOf } from '../../src/core/na-values.js';
import { bundledCsv, csvWithCell, tutorialLayoutCsv } from '../helpers/fixtures.js';
import { loadWdbc } from '../helpers/wdbc.js';

const options = { label: 'diagnosis', positive: 'M', drop: ['id'] };

function problem(text: string, opts: DatasetOptions = options): DatasetError {
  try {
    parseDataset(text, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

describe('parseDataset', () => {
  it('reads the bundled data set', () => {
    const d = parseDataset(bundledCsv, options);
    expect(d.x.rows).toBe(569);
    expect(d.x.cols).toBe(30);
    expect(d.featureNames[0]).toBe('radius_mean');
    expect(d.y.filter((l) => l === 'M')).toHaveLength(212);
    expect(d.x.data[0]).toBe(17.99);
  });

  it('reads the bundled data set bit for bit as a plain split on commas does, all numeric, every row labelled', () => {
    const d = parseDataset(bundledCsv, options);
    const plain = loadWdbc();
    expect(d.featureNames).toEqual(plain.featureNames);
    expect(d.features).toEqual(plain.featureNames.map((name) => ({ name, kind: 'numeric' })));
    expect(Buffer.from(d.x.data.buffer).equals(Buffer.from(plain.x.data.buffer))).toBe(true);
    expect(d.y).toEqual(plain.y);
    expect(d.unlabelledRows).toBe(0);
  });

  it("reads the tutorial's own layout (id, quoted header, trailing comma, CRLF) with the defaults", () => {
    const d = parseDataset(tutorialLayoutCsv(), options);
    const bundled = parseDataset(bundledCsv, options);
    expect(d.featureNames).toEqual(bundled.featureNames);
    expect(Array.from(d.x.data)).toEqual(Array.from(bundled.x.data));
    expect(d.y).toEqual(bundled.y);
  });

  it('names a missing label column', () => {
    const e = problem(bundledCsv, { ...options, label: 'outcome' });
    expect(e.message).toMatch(/missing label column 'outcome'/);
  });

  it.each(['', 'NA', 'NaN', '?'])('reads the cell %j as missing (NaN)', (cell) => {
    const d = parseDataset(csvWithCell(4, 'texture_mean', cell), options);
    const k = d.featureNames.indexOf('texture_mean');
    expect(d.x.data[4 * d.x.cols + k]).toBeNaN();
    expect(d.features[k].kind).toBe('numeric');
  });

  it('reads a column with a word in it as categorical, as pandas reads it as text', () => {
    const d = parseDataset(csvWithCell(9, 'area_mean', 'abc'), options);
    const k = d.featureNames.indexOf('area_mean');
    const categories = d.features[k].categories as readonly string[];
    expect(d.features[k].kind).toBe('categorical');
    expect(categories).toContain('abc');
    expect(categories[d.x.data[9 * d.x.cols + k]]).toBe('abc');
    expect(categories[d.x.data[0 * d.x.cols + k]]).toBe('1001');
  });

  it.each([
    ['Infinity', "'Infinity' is not a finite number"],
    ['-inf', "'-inf' is not a finite number"],
    ['1e999', "'1e999' is not a finite number"],
    ['1,5', ''],
  ])('rejects the cell %s', (value, message) => {
    if (value === '1,5') {
      // An unquoted comma adds a cell: the row no longer fits the header.
      expect(problem(csvWithCell(0, 'area_mean', value)).message).toBe('line 2: 32 cells, but the header has 31 columns');
      return;
    }
    expect(problem(csvWithCell(9, 'area_mean', value)).message).toBe(`line 11, column 'area_mean': ${message}`);
  });

  it('takes a third class, but not one with a single row, and names its line', () => {
    const e = problem(csvWithCell(7, 'diagnosis', 'X'));
    expect(e.message).toBe("class 'X' has only 1 row (line 9): at least 2 are needed to split into training and test rows");
    expect(e.line).toBe(9);
    const three = parseDataset(csvWithCell(8, 'diagnosis', 'X').replace(/\nM,/, '\nX,'), options);
    expect(new Set(three.y)).toEqual(new Set(['M', 'B', 'X']));
  });

  it('leaves out and counts the rows whose label is missing', () => {
    const d = parseDataset(csvWithCell(3, 'diagnosis', ''), options);
    const all = parseDataset(bundledCsv, options);
    expect(d.unlabelledRows).toBe(1);
    expect(d.x.rows).toBe(568);
    expect(d.y).toEqual([...all.y.slice(0, 3), ...all.y.slice(4)]);
    expect(Array.from(d.x.data.subarray(3 * 30, 4 * 30))).toEqual(Array.from(all.x.data.subarray(4 * 30, 5 * 30)));
  });

  it('rejects a table without any label', () => {
    expect(problem('diagnosis,a\n,1\nNA,2\n').message).toBe("column 'diagnosis' has no label in any row");
  });

  it('rejects a single class', () => {
    const [header, ...lines] = bundledCsv.trimEnd().split('\n');
    const onlyM = [header, ...lines.filter((l) => l.startsWith('M'))].join('\n');
    expect(problem(onlyM).message).toBe("column 'diagnosis' has a single class 'M': a classifier needs two");
  });

  it('rejects a class with too few rows to split', () => {
    const [header, ...lines] = bundledCsv.trimEnd().split('\n');
    const oneMalignant = [header, ...lines.filter((l) => l.startsWith('B')), lines.find((l) => l.startsWith('M'))].join('\n');
    expect(problem(oneMalignant).message).toMatch(/class 'M' has only 1 row/);
  });

  it('rejects data without the positive class', () => {
    const [header, ...lines] = bundledCsv.trimEnd().split('\n');
    expect(problem([header, ...lines.filter((l) => l.startsWith('B'))].join('\n')).message).toMatch(/no row of the positive class 'M'/);
  });

  it('rejects duplicate columns', () => {
    const text = bundledCsv.replace('texture_mean', 'radius_mean');
    expect(problem(text).message).toBe("duplicate column 'radius_mean' (columns 2 and 3)");
  });

  it('names missing and unexpected feature columns when the features are fixed', () => {
    const features = parseDataset(bundledCsv, options).featureNames;
    const renamed = bundledCsv.replace('smoothness_mean', 'smoothness');
    expect(problem(renamed, { ...options, features } as typeof options).message).toBe('missing feature column: smoothness_mean');
    const extra = bundledCsv.replace(/\n/g, ',1\n').replace(/^([^\n]*),1\n/, '$1,extra\n');
    expect(problem(extra, { ...options, features } as typeof options).message).toMatch(/unexpected column 'extra'/);
  });

  it('rejects an empty file and a header without rows', () => {
    expect(problem('').message).toMatch(/empty/);
    expect(problem('diagnosis,a\n').message).toMatch(/no data rows/);
  });
});

describe('parseDataset reading options', () => {
  const headerless = { label: 'class', positive: '4', drop: ['id'], header: false, columns: ['id', 'a', 'b', 'class'] };

  it('reads a headerless file with dataset.columns, numbering lines from the first row', () => {
    const d = parseDataset('1,0.5,x,2\n2,1.5,y,4\n3,?,x,4\n4,2,,2\n', headerless);
    expect(d.features).toEqual([
      { name: 'a', kind: 'numeric' },
      { name: 'b', kind: 'categorical', categories: ['x', 'y'] },
    ]);
    expect(Array.from(d.x.data)).toEqual([0.5, 0, 1.5, 1, Number.NaN, 0, 2, Number.NaN]);
    expect(d.y).toEqual(['2', '4', '4', '2']);
    expect(problem('1,0.5,x,2\n2,1.5,y\n', headerless).message).toBe('line 2: 3 cells, but dataset.columns names 4 columns');
    expect(problem('1,0.5,x,2\n', { ...headerless, columns: undefined }).message).toMatch(/dataset.columns is required when dataset.header is false/);
    expect(problem('1,0.5,x,2\n', { ...headerless, columns: ['id', 'a', 'a', 'class'] }).message).toBe("duplicate column 'a' (columns 2 and 3)");
  });

  it('names the columns with dataset.columns in place of a header line', () => {
    const d = parseDataset('w,x,y,z\n1,0.5,7,2\n2,1.5,8,4\n3,2.5,9,4\n4,3.5,1,2\n', { ...headerless, header: true });
    expect(d.featureNames).toEqual(['a', 'b']);
    expect(problem('w,x,y,z\n1,0.5,x,2\n2,1.5,y\n', { ...headerless, header: true }).message).toBe('line 3: 3 cells, but dataset.columns names 4 columns');
  });

  it('matches a numeric positive class however it is written', () => {
    const text = 'id,a,class\n1,1,2\n2,2,4.0\n3,3,04\n4,4,2\n';
    for (const positive of ['4', '4.0', '+4']) expect(parseDataset(text, { ...options, label: 'class', positive }).y).toEqual(['2', '4', '4', '2']);
  });

  it('rejects dataset.categorical naming a column that is not a feature', () => {
    expect(problem(bundledCsv, { ...options, categorical: ['diagnosis'] }).message).toMatch(/^dataset.categorical names 'diagnosis', not a feature column/);
  });

  it('reports the line of an infinite value in a column forced categorical', () => {
    expect(problem(csvWithCell(2, 'area_mean', '-inf'), { ...options, categorical: ['area_mean'] }).message).toBe("line 4, column 'area_mean': '-inf' is not a finite number");
  });

  it('adds the float forms of a numeric na value, as pandas does', () => {
    const na = naValuesOf(['-999', '1.5e-5', 'x']);
    expect([...na.strings].sort()).toEqual(['-999', '-999.0', '1.5e-05', '1.5e-5', 'x']);
    expect([...na.numbers].sort()).toEqual([-999, 0.000015]);
  });

});

interface GoldenFeature {
  readonly name: string;
  readonly dtype: string;
  readonly kind: 'numeric' | 'categorical';
  readonly categories?: readonly (string | number)[];
  readonly values: readonly (number | null)[];
}

interface GoldenCase {
  readonly name: string;
  readonly csv: string;
  readonly read: { readonly header: boolean; readonly names: string[] | null; readonly sep: string; readonly na_values: string[] };
  readonly options: { readonly label: string; readonly positive: string; readonly drop: string[]; readonly categorical: string[] };
  readonly dtypes: Readonly<Record<string, string>>;
  readonly features: readonly GoldenFeature[];
  readonly labels: readonly string[];
  readonly unlabelled_rows: number;
}

const goldens = JSON.parse(readFileSync(new URL('../golden/datasets.json', import.meta.url), 'utf8')) as GoldenCase[];

describe('parseDataset against pandas.read_csv (test/golden/datasets.json)', () => {
  const optionsOf = (g: GoldenCase): DatasetOptions => ({
    ...g.options,
    header: g.read.header,
    columns: g.read.names ?? undefined,
    delimiter: g.read.sep,
    naValues: g.read.na_values,
  });

  it.each(goldens.map((g) => [g.name, g] as const))('%s: the same dtypes', (_, g) => {
    const table = readCsvTable(g.csv, optionsOf(g));
    const na = naValuesOf(g.read.na_values);
    const dtypes = Object.fromEntries(table.names.map((name, c) => [name, readCsvColumn(table.rows.map((r) => r.cells[c]), na).dtype]));
    expect(dtypes).toEqual(g.dtypes);
  });

  it.each(goldens.map((g) => [g.name, g] as const))('%s: the same features, values, categories and labels', (_, g) => {
    const d = parseDataset(g.csv, optionsOf(g));
    expect(d.featureNames).toEqual(g.features.map((f) => f.name));
    expect(d.y).toEqual(g.labels);
    expect(d.unlabelledRows).toBe(g.unlabelled_rows);
    expect(d.x.rows).toBe(g.labels.length);
    g.features.forEach((f, k) => {
      const spec = d.features[k];
      expect(spec.kind, f.name).toBe(f.kind);
      if (f.categories) {
        // A numeric column's categories are numbers, written with String(v): -0 and 0 are one category, '0'.
        const numeric = typeof f.categories[0] === 'number';
        expect(spec.categories?.map((c) => (numeric ? Number(c) : c)), f.name).toEqual(f.categories.map((c) => (numeric ? Number(c) + 0 : c)));
      } else {
        expect(spec.categories).toBeUndefined();
      }
      const column = Array.from({ length: d.x.rows }, (_, i) => d.x.data[i * d.x.cols + k]);
      const expected = f.values.map((v) => (v === null ? Number.NaN : v));
      // Object.is: the same double, -0 included.
      expect(column.every((v, i) => Object.is(v, expected[i])), f.name).toBe(true);
    });
  });

  it('covers every shape the reading options promise', () => {
    const names = goldens.map((g) => g.name);
    expect(names).toEqual(expect.arrayContaining(['wisconsin-original', 'semicolon', 'tab', 'na-default', 'na-custom', 'string-columns', 'forced-categorical', 'missing-labels', 'iris-like']));
    expect(goldens.find((g) => g.name === 'iris-like')?.labels.filter((v, i, a) => a.indexOf(v) === i)).toHaveLength(3);
    expect(goldens.find((g) => g.name === 'missing-labels')?.unlabelled_rows).toBeGreaterThan(0);
  });
});
