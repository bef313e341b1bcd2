import { expect, it } from 'vitest';
import { keptDriftReports } from '../../src/store/drift-report-repository.js';
import { describeDialects, useStoreFixture } from './dialects.js';

const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 8, minute));

describeDialects('drift reports', (dialect) => {
  const fixture = useStoreFixture(dialect);

  it('keeps computed reports with their time, version and run, the newest per version first', async () => {
    const { store } = fixture;
    expect(await store.driftReports.latest(1)).toBeUndefined();
    await store.driftReports.add({ computedAt: at(0), modelVersion: 1, runId: null, result: { nRecent: 40, report: null } });
    const byRun = await store.driftReports.add({ computedAt: at(5), modelVersion: 1, runId: 12, result: { nRecent: 50, report: { driftedShare: 0.1 } } });
    await store.driftReports.add({ computedAt: at(6), modelVersion: 2, runId: null, result: { nRecent: 60 } });
    expect(byRun).toMatchObject({ computedAt: at(5).toISOString(), modelVersion: 1, runId: 12 });
    expect(await store.driftReports.latest(1)).toEqual(byRun);
    expect(await store.driftReports.latest(1)).toMatchObject({ result: { nRecent: 50, report: { driftedShare: 0.1 } } });
    expect((await store.driftReports.latest(2))?.result).toEqual({ nRecent: 60 });
    expect(await store.driftReports.latest(3)).toBeUndefined();
  });

  it(`keeps the newest ${keptDriftReports} reports`, async () => {
    const { store } = fixture;
    const first = await store.driftReports.add({ computedAt: at(0), modelVersion: 7, runId: null, result: {} });
    for (let i = 1; i < keptDriftReports; i++) await store.driftReports.add({ computedAt: at(1), modelVersion: 1, runId: null, result: {} });
    expect(await store.driftReports.latest(7)).toEqual(first);
    await store.driftReports.add({ computedAt: at(2), modelVersion: 1, runId: null, result: {} });
    expect(await store.driftReports.latest(7)).toBeUndefined();
    const { n } = await store.db.selectFrom('drift_reports').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n)).toBe(keptDriftReports);
  });
});
