import { describe, expect, it } from 'vitest';
import { redactSource, redactUrls, sourceUrlProblem } from '../../src/core/data-source-url.js';

describe('redactSource', () => {
  it.each([
    ['http://host/data.csv?token=QueryTok-abc', 'http://host/data.csv?token=***'],
    ['https://reader@host:8443/a/b.csv?token=t&site=north&flag#part', 'https://***@host:8443/a/b.csv?token=***&site=***&***#***'],
    ['https://reader:pw@host/x.csv', 'https://***@host/x.csv'],
    ['HTTPS://Host/x.csv?SECRET', 'https://host/x.csv?***'],
    ['http://host/x.csv?', 'http://host/x.csv'],
    ['http://host/x.csv', 'http://host/x.csv'],
    ['postgres://reader@db:5432/clinic?sslmode=require', 'postgres://***@db:5432/clinic?sslmode=***'],
    ['postgresql://db/clinic', 'postgresql://db/clinic'],
    ['http://exa mple.com/?token=abc', 'http://***'],
    ['/data/cases.csv', '/data/cases.csv'],
    ['data/token=abc.csv', 'data/token=abc.csv'],
  ])('%s → %s', (source, expected) => {
    expect(redactSource(source)).toBe(expected);
  });
});

describe('redactUrls', () => {
  it('redacts every URL in a text and keeps the punctuation around it', () => {
    expect(redactUrls('cannot fetch http://h/d.csv?token=abc: HTTP 500 (see https://u:p@h/x?k=v).')).toBe('cannot fetch http://h/d.csv?token=***: HTTP 500 (see https://***@h/x?k=***).');
    expect(redactUrls('no URL here: /data/x.csv?token=abc')).toBe('no URL here: /data/x.csv?token=abc');
  });
});

describe('sourceUrlProblem', () => {
  it('refuses a password in any URL source without repeating it', () => {
    for (const source of ['https://reader:s3cret-pw@host/data.csv', 'http://:s3cret-pw@host/data.csv', 'postgres://reader:s3cret-pw@db/clinic', 'postgresql://reader@db/clinic?password=s3cret-pw']) {
      const problem = sourceUrlProblem(source);
      expect(problem, source).toMatch(/^the URL holds a password: remove it, and give it in .*MLOOP_DATASET_PASSWORD/);
      expect(problem).not.toContain('s3cret');
    }
  });

  it('accepts a user without a password, a query token and file paths', () => {
    for (const source of ['https://reader@host/data.csv', 'http://host/data.csv?token=abc', 'postgres://reader@db/clinic', 'data/wdbc.csv', 'C:\\data\\wdbc.csv']) expect(sourceUrlProblem(source), source).toBeUndefined();
  });

  it('says an unparseable URL is one without repeating it', () => {
    expect(sourceUrlProblem('https://exa mple.com/?token=s3cret')).toBe('not a valid URL (https://host/path/data.csv)');
    expect(sourceUrlProblem('postgres://db:port/x')).toBe('not a valid PostgreSQL URL (postgres://user@host:port/database)');
  });
});
