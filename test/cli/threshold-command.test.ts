import { describe, expect, it } from 'vitest';
import { tempDir, tutorialLayoutCsv, writeFile } from '../helpers/fixtures.js';
import { mloop } from './run-cli.js';

describe('mloop models threshold', () => {
  it('saves a version at another threshold: 0 when the gate passes it, 3 when it rejects it, 1 without a reason', async () => {
    const dir = tempDir();
    expect((await mloop(['train', '--data-dir', dir])).code).toBe(0);

    const noReason = await mloop(['models', 'threshold', '1', '--at', '-0.5', '--data-dir', dir]);
    expect(noReason.code).toBe(1);
    expect(noReason.stderr).toMatch(/--reason/);

    const lower = await mloop(['models', 'threshold', 'v1', '--at', '-0.5', '--reason', 'miss no malignant case', '--data-dir', dir]);
    expect(lower.stderr).toBe('');
    expect(lower.code).toBe(0);
    expect(lower.stdout).toContain('v2: the fit of v1 at decision threshold -0.5 (was 0)');
    expect(lower.stdout).toContain("recall of M 1.0000 >= champion v1's 0.9792 on the same 114 rows: passed the promotion gate, it replaces v1");
    expect(lower.stdout).toContain('v2 is now active');

    const higher = await mloop(['models', 'threshold', '2', '--at', '0.75', '--reason', 'fewer false alarms', '--data-dir', dir]);
    expect(higher.code).toBe(3);
    expect(higher.stdout).toContain('v3 not activated: recall of M 0.8125 is below the threshold 0.9: rejected by the promotion gate, v2 stays active');

    const audit = await mloop(['models', 'audit', '--json', '--data-dir', dir]);
    const entries = JSON.parse(audit.stdout) as { action: string; fromVersion: number; toVersion: number; actor: string; reason: string }[];
    expect(entries.filter((e) => e.action === 'threshold_change').map((e) => [e.fromVersion, e.toVersion, e.actor, e.reason])).toEqual([
      [2, 3, 'cli', 'threshold -0.5 → 0.75: fewer false alarms'],
      [1, 2, 'cli', 'threshold 0 → -0.5: miss no malignant case'],
    ]);

    // `mloop predict` says the threshold in a column of its own, beside the decision value.
    const predicted = await mloop(['predict', '--input', writeFile(dir, 'rows.csv', tutorialLayoutCsv(3)), '--data-dir', dir]);
    const [header, ...rows] = predicted.stdout.trimEnd().split('\n');
    const columns = header.split(',');
    expect(columns.slice(0, 5)).toEqual(['line', 'label', 'class_name', 'decision', 'decision_threshold']);
    for (const row of rows) {
      const cells = row.split(',');
      expect(cells[4]).toBe('-0.5');
      expect(cells[1]).toBe(Number(cells[3]) >= -0.5 ? 'M' : 'B');
    }
  });
});
