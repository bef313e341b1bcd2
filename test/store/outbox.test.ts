import { Migrator, sql } from 'kysely';
import { expect, it } from 'vitest';
import type { AlertState, Notification } from '../../src/core/alerts/alert.js';
import type { OutboxItem } from '../../src/store/outbox-repository.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { bareKysely, createTestDatabase, describeDialects, raceInChildren, useStoreFixture } from './dialects.js';

function notification(job: string, status: 'firing' | 'resolved' = 'firing'): Notification {
  const alert: AlertState = {
    fingerprint: `fp-${job}`,
    name: 'job_failed',
    labels: { alertname: 'job_failed', job },
    annotations: { error: 'boom' },
    status,
    startsAt: '2025-01-01T00:00:00.000Z',
    endsAt: status === 'resolved' ? '2025-01-01T01:00:00.000Z' : null,
    lastNotifiedAt: '2025-01-01T00:00:00.000Z',
  };
  return { fingerprint: alert.fingerprint, status, alert, reason: status === 'firing' ? 'new' : 'resolved' };
}

const at = (seconds: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, seconds)).toISOString();
const ids = (items: readonly OutboxItem[]) => items.map((item) => item.id);

describeDialects('outbox', (dialect) => {
  const fixture = useStoreFixture(dialect);

  it('leases due items to one sender at a time, oldest due first', async () => {
    const { store } = fixture;
    const queued = await store.outbox.enqueue([notification('a'), notification('b', 'resolved')], ['email', 'webhook'], at(0));
    expect(queued.map((item) => [item.fingerprint, item.channel, item.statusLabel])).toEqual([
      ['fp-a', 'email', 'firing'],
      ['fp-a', 'webhook', 'firing'],
      ['fp-b', 'email', 'resolved'],
      ['fp-b', 'webhook', 'resolved'],
    ]);
    expect(queued[2].payload).toEqual(notification('b', 'resolved'));
    expect(await store.outbox.enqueue([notification('c')], [], at(0))).toEqual([]);
    expect(await store.outbox.pendingCount()).toBe(4);

    const first = await store.outbox.claimDue({ now: at(1), leaseMs: 30_000, owner: 'replica-1', limit: 3 });
    expect(ids(first)).toEqual(ids(queued.slice(0, 3)));
    expect(first[0]).toMatchObject({ state: 'pending', leaseUntil: at(31), leasedBy: 'replica-1', attempts: 0 });
    const second = await store.outbox.claimDue({ now: at(1), leaseMs: 30_000, owner: 'replica-2', limit: 3 });
    expect(ids(second)).toEqual([queued[3].id]);
    expect(await store.outbox.claimDue({ now: at(2), leaseMs: 30_000, owner: 'replica-2', limit: 3 })).toEqual([]);
    // Leased items are still owed.
    expect(await store.outbox.pendingCount()).toBe(4);
  });

  it('records a delivery only for the sender that holds the lease', async () => {
    const { store } = fixture;
    const [item] = await store.outbox.enqueue([notification('a')], ['email'], at(0));
    await store.outbox.claimDue({ now: at(1), leaseMs: 10_000, owner: 'replica-1', limit: 10 });

    // The lease runs out: up to its last millisecond nobody else gets the item, then anybody may.
    const lastMs = '2025-01-01T00:00:10.999Z';
    expect(await store.outbox.claimDue({ now: lastMs, leaseMs: 10_000, owner: 'replica-2', limit: 10 })).toEqual([]);
    const taken = await store.outbox.claimDue({ now: at(11), leaseMs: 10_000, owner: 'replica-2', limit: 10 });
    expect(taken).toMatchObject([{ id: item.id, leasedBy: 'replica-2', leaseUntil: at(21) }]);

    // The first sender finished late: its word no longer counts, the current holder's does.
    expect(await store.outbox.delivered(item.id, 'replica-1', at(12))).toBeUndefined();
    expect(await store.outbox.failed(item.id, 'replica-1', 'late', at(60))).toBeUndefined();
    const delivered = await store.outbox.delivered(item.id, 'replica-2', at(13));
    expect(delivered).toEqual({
      ...item,
      state: 'delivered',
      attempts: 1,
      leaseUntil: null,
      leasedBy: 'replica-2',
      deliveredAt: at(13),
    });
    expect(await store.outbox.delivered(item.id, 'replica-2', at(14))).toBeUndefined();
    expect(await store.outbox.claimDue({ now: at(100), leaseMs: 10_000, owner: 'replica-1', limit: 10 })).toEqual([]);
    expect(await store.outbox.pendingCount()).toBe(0);
    expect(await store.outbox.get(item.id)).toEqual(delivered);
  });

  it('retries a failed item when it is due again, and gives it up when told', async () => {
    const { store } = fixture;
    const [item] = await store.outbox.enqueue([notification('a')], ['webhook'], at(0));
    await store.outbox.claimDue({ now: at(0), leaseMs: 10_000, owner: 'r1', limit: 1 });
    const failed = await store.outbox.failed(item.id, 'r1', 'connect ECONNREFUSED', at(30));
    expect(failed).toMatchObject({
      ...{ state: 'pending', attempts: 1, nextAttemptAt: at(30) },
      ...{ leaseUntil: null, leasedBy: null, lastError: 'connect ECONNREFUSED' },
    });

    expect(await store.outbox.claimDue({ now: at(29), leaseMs: 10_000, owner: 'r1', limit: 1 })).toEqual([]);
    expect(ids(await store.outbox.claimDue({ now: at(30), leaseMs: 10_000, owner: 'r2', limit: 1 }))).toEqual([item.id]);
    await store.outbox.failed(item.id, 'r2', 'HTTP 500', at(90));
    await store.outbox.claimDue({ now: at(90), leaseMs: 10_000, owner: 'r1', limit: 1 });
    const dead = await store.outbox.failed(item.id, 'r1', 'HTTP 500 again', at(200), { dead: true });
    expect(dead).toMatchObject({ state: 'dead', attempts: 3, lastError: 'HTTP 500 again', leasedBy: null });
    expect(await store.outbox.claimDue({ now: at(1000), leaseMs: 10_000, owner: 'r1', limit: 1 })).toEqual([]);
    expect(await store.outbox.pendingCount()).toBe(0);
  });

  it('lists newest first, in one state or in all', async () => {
    const { store } = fixture;
    const [a, b, c] = await store.outbox.enqueue([notification('a'), notification('b'), notification('c')], ['log'], at(0));
    await store.outbox.claimDue({ now: at(1), leaseMs: 1000, owner: 'r', limit: 2 });
    await store.outbox.delivered(a.id, 'r', at(1));
    await store.outbox.failed(b.id, 'r', 'x', at(1), { dead: true });
    expect(ids(await store.outbox.list({ limit: 10 }))).toEqual([c.id, b.id, a.id]);
    expect(ids(await store.outbox.list({ limit: 1, offset: 1 }))).toEqual([b.id]);
    expect(ids(await store.outbox.list({ state: 'pending', limit: 10 }))).toEqual([c.id]);
    expect(ids(await store.outbox.list({ state: 'delivered', limit: 10 }))).toEqual([a.id]);
    expect(ids(await store.outbox.list({ state: 'dead', limit: 10 }))).toEqual([b.id]);
  });

  it('refuses a claim without a lease or a limit', async () => {
    const { store } = fixture;
    const bads = [
      { leaseMs: 0, limit: 1 },
      { leaseMs: Number.NaN, limit: 1 },
      { leaseMs: 1000, limit: 0 },
      { leaseMs: 1000, limit: 1.5 },
    ];
    for (const bad of bads) {
      await expect(store.outbox.claimDue({ now: at(0), owner: 'r', ...bad })).rejects.toThrow(RangeError);
    }
    await expect(store.outbox.claimDue({ now: 'soon', owner: 'r', leaseMs: 1000, limit: 1 })).rejects.toThrow(RangeError);
  });

  it('never hands one item to two senders claiming at the same moment', async () => {
    const { store } = fixture;
    if (dialect === 'postgres') {
      const [a, b] = [store, await fixture.open()];
      for (let round = 0; round < 50; round++) {
        const now = at(round);
        const queued = await store.outbox.enqueue([notification(`r${round}`)], ['email', 'webhook', 'log', 'sms'], now);
        const [fromA, fromB] = await Promise.all([
          a.outbox.claimDue({ now, leaseMs: 60_000, owner: 'a', limit: 2 }),
          b.outbox.claimDue({ now, leaseMs: 60_000, owner: 'b', limit: 2 }),
        ]);
        // Disjoint, and together all of them: SKIP LOCKED passes over the other's rows, not its own.
        expect([...ids(fromA), ...ids(fromB)].sort((x, y) => x - y)).toEqual(ids(queued));
        for (const item of fromA) await a.outbox.delivered(item.id, 'a', now);
        for (const item of fromB) await b.outbox.delivered(item.id, 'b', now);
      }
    } else {
      // One SQLite store per process (see openDatabase), so the senders are processes.
      const queued = await store.outbox.enqueue(
        Array.from({ length: 50 }, (_, i) => notification(`n${i}`)),
        ['email', 'webhook'],
        at(0),
      );
      const claims = (await raceInChildren(
        3,
        fixture.database.options,
        `const claimed = [];
        for (;;) {
          const owner = 'child-' + index;
          const items = await store.outbox.claimDue({ now: ${JSON.stringify(at(1))}, leaseMs: 600000, owner, limit: 2 });
          if (items.length === 0) return claimed;
          for (const item of items) {
            claimed.push(item.id);
            await store.outbox.delivered(item.id, owner, ${JSON.stringify(at(1))});
          }
        }`,
      )) as number[][];
      expect(claims.flat().sort((x, y) => x - y)).toEqual(ids(queued));
    }
    expect(await store.outbox.pendingCount()).toBe(0);
  });

  it('gives each item a key of its own, kept on every claim', async () => {
    const { store } = fixture;
    const queued = await store.outbox.enqueue([notification('a'), notification('b')], ['email', 'webhook'], at(0));
    const keys = queued.map((item) => item.idempotencyKey);
    expect(new Set(keys).size).toBe(4);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const claimed = await store.outbox.claimDue({ now: at(1), leaseMs: 1000, owner: 'r1', limit: 10 });
    await store.outbox.failed(claimed[0].id, 'r1', 'HTTP 503', at(1));
    const reclaimed = await store.outbox.claimDue({ now: at(5), leaseMs: 1000, owner: 'r2', limit: 10 });
    expect(reclaimed.map((item) => item.idempotencyKey).sort()).toEqual([...keys].sort());
  });

  it('gives the items queued before keys existed one each when its migration runs', async () => {
    // A database as it was before migration 0007, with four items queued.
    const old = await createTestDatabase(dialect);
    fixture.defer(() => old.drop());
    const db = bareKysely(dialect, old);
    try {
      const migrated = await new Migrator({ db, provider: migrationProvider(dialect) }).migrateTo('0006_snapshot_reading');
      expect(migrated.error).toBeUndefined();
      for (const channel of ['email', 'webhook', 'log', 'email']) {
        await sql`insert into outbox (created_at, channel, fingerprint, status_label, payload_json, state, attempts, next_attempt_at)
          values (${at(0)}, ${channel}, 'f', 'firing', '{}', 'pending', 0, ${at(0)})`.execute(db);
      }
    } finally {
      await db.destroy();
    }
    const store = await fixture.open(old.options);
    const backfilled = (await store.outbox.list({ limit: 10 })).map((item) => item.idempotencyKey);
    expect(new Set(backfilled).size).toBe(4);
    for (const key of backfilled) expect(key).toMatch(/^[0-9a-f-]{36}$/);
  });
});
