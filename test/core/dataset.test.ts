import { describe, expect, it } from 'vitest';
import { DatasetError, parseDataset } from '../../src/core/dataset.js';
import { bundledCsv, csvWithCell, tutorialLayoutCsv } from '../helpers/fixtures.js';

const options = { label: 'diagnosis', positive: 'M', drop: ['id'] };

function problem(text: string, opts = options): DatasetError {
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

  it('names the line and column of an empty cell', () => {
    const e = problem(csvWithCell(4, 'texture_mean', ''));
    expect(e.message).toBe("line 6, column 'texture_mean': empty cell (expected a number)");
    expect(e.line).toBe(6);
    expect(e.column).toBe('texture_mean');
  });

  it.each([
    ['abc', "'abc' is not a number"],
    ['NaN', "'NaN' is not a finite number"],
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

  it('names an unknown label value and what was expected', () => {
    expect(problem(csvWithCell(7, 'diagnosis', 'X')).message).toBe("line 9, column 'diagnosis': unknown label 'X' (expected M or B)");
  });

  it('rejects an empty label', () => {
    expect(problem(csvWithCell(3, 'diagnosis', '')).message).toBe("line 5, column 'diagnosis': empty label");
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
