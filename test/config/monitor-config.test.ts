import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/schema.js';

describe('the drift computation keys', () => {
  it('default to the newest 50,000 inputs, recomputed by a read at most every 5 minutes', () => {
    expect(parseConfig({}).monitor).toMatchObject({ driftMaxRows: 50_000, driftMinInterval: '5m' });
    expect(parseConfig({ monitor: { driftMaxRows: 2000, driftMinInterval: '30s' } }).monitor).toMatchObject({ driftMaxRows: 2000, driftMinInterval: '30s' });
  });

  it('name what is wrong', () => {
    const problem = (monitor: Record<string, unknown>) => {
      try {
        parseConfig({ monitor });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error(`accepted ${JSON.stringify(monitor)}`);
    };
    expect(problem({ driftMinInterval: 'often' })).toMatch(/monitor\.driftMinInterval: expected a duration such as 30s/);
    expect(problem({ driftMinInterval: '0' })).toMatch(/monitor\.driftMinInterval: must be longer than 0/);
    expect(problem({ driftMaxRows: 20 })).toMatch(/monitor\.driftMaxRows: 20 is below monitor\.driftMinRows \(30\)/);
    expect(problem({ driftMaxRows: 2_000_000 })).toMatch(/monitor\.driftMaxRows: .*1000000/);
    expect(problem({ driftMaxRows: 100.5 })).toMatch(/monitor\.driftMaxRows/);
  });
});
