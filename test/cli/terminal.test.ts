import { describe, expect, it } from 'vitest';
import { Terminal } from '../../src/cli/terminal.js';

describe('Terminal', () => {
  it('colours on a terminal whatever stream the process itself writes to (the test runner pipes it)', () => {
    expect(new Terminal({ isTTY: true }, { TERM: 'xterm-256color' }).ok('done')).toBe('\x1b[32m✔\x1b[39m done');
    expect(new Terminal({ isTTY: true }, {}).fail('no')).toBe('\x1b[31m✖\x1b[39m no');
  });

  it('keeps the symbols but drops colours with NO_COLOR or TERM=dumb, and drops both when piped', () => {
    expect(new Terminal({ isTTY: true }, { NO_COLOR: '1' }).ok('done')).toBe('✔ done');
    expect(new Terminal({ isTTY: true }, { TERM: 'dumb' }).warn('hm')).toBe('⚠ hm');
    expect(new Terminal({ isTTY: true }, { NO_COLOR: '' }).ok('done')).toBe('\x1b[32m✔\x1b[39m done');
    expect(new Terminal({ isTTY: false }, {}).ok('done')).toBe('done');
  });
});
