import pino from 'pino';
import SqliteDatabase from 'better-sqlite3';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Application } from '../../src/app/application.js';
import { openApplication } from '../../src/app/open-application.js';
import { parseConfig } from '../../src/config/schema.js';
import { sqliteFileName } from '../../src/store/database.js';
import type { Dialect } from '../../src/store/store-dialect.js';
import { withPgClient } from '../helpers/postgres.js';
import { waitFor } from '../helpers/wait-for.js';
import { startReceiver } from '../helpers/webhook-receiver.js';
import { benignRow, malignRow } from '../http/server-fixture.js';
import type { TestDatabase } from '../store/dialects.js';
import { createTestDatabase, describeDialects } from '../store/dialects.js';

/**
 * The store refuses the log rows of one case number, as it would a row it cannot encode: a trigger
 * the application knows nothing about, so the refusal happens where a real one would, in the insert.
 */
async function refuseExternalId(dialect: Dialect, database: TestDatabase, externalId: string): Promise<void> {
  if (dialect === 'sqlite') {
    const db = new SqliteDatabase(path.join(database.options.dataDir, sqliteFileName));
    db.exec(`create trigger refuse_case before insert on predictions when new.external_id = '${externalId}' begin select raise(abort, 'refused by the test trigger'); end`);
    db.close();
    return;
  }
  await withPgClient(database.options.url as string, async (client) => {
    await client.query(`create function refuse_case() returns trigger language plpgsql as $$ begin
      if new.external_id = '${externalId}' then raise exception 'refused by the test trigger'; end if; return new; end $$`);
    await client.query('create trigger refuse_case before insert on predictions for each row execute function refuse_case()');
  });
}

describeDialects('prediction log rows the store refuses raise the prediction_log_dropped alert', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('fires once through the configured channels, names the rows and the error, and keeps counting while it fires', async () => {
    const receiver = await startReceiver({ status: 200 }, cleanups);
    const database = await createTestDatabase(dialect);
    cleanups.push(() => database.drop());
    const config = parseConfig({ notify: { webhook: { url: `${receiver.base}/hook` } } });
    const app: Application = await openApplication({ config, dataDir: database.options.dataDir, databaseUrl: database.options.url, log: pino({ level: 'silent' }), threads: 1 });
    cleanups.push(() => app.close());
    await app.bootstrap();
    await refuseExternalId(dialect, database, 'case-refused');

    // Other callers' rows share the batch: they are kept, the refused one is dropped.
    app.predictions.predict([malignRow, benignRow, malignRow], { route: 'api', externalIds: ['case-1', 'case-refused', 'case-3'] });
    await app.monitoring.live();
    expect(app.predictions.droppedLogRows).toBe(1);
    const firing = await waitFor('the alert', async () => (await app.alerting.list({ name: 'prediction_log_dropped', limit: 5 }))[0], 10_000);
    expect(firing).toMatchObject({ name: 'prediction_log_dropped', status: 'firing', annotations: { dropped: '1', total_dropped: '1', kept: '2' } });
    expect(firing.annotations.error).toContain('refused by the test trigger');
    expect(firing.annotations.ids.split(' ')).toHaveLength(1);
    expect(firing.annotations.process).toBe(`${(await import('node:os')).hostname()}:${process.pid}`);

    const hooks = () => receiver.requests.filter((r) => r.body.includes('prediction_log_dropped'));
    await waitFor('the webhook', () => (hooks().length === 1 ? true : undefined), 10_000);
    const payload = JSON.parse(hooks()[0].body) as { status: string; alerts: { labels: Record<string, string> }[] };
    expect(payload.status).toBe('firing');
    expect(payload.alerts[0].labels.alertname).toBe('prediction_log_dropped');

    // A second drop while it fires: the alert's figures follow, no second notice.
    app.predictions.predict([benignRow], { route: 'api', externalIds: ['case-refused'] });
    await app.monitoring.live();
    expect(app.predictions.droppedLogRows).toBe(2);
    await waitFor('the updated alert', async () => {
      const [alert] = await app.alerting.list({ name: 'prediction_log_dropped', limit: 5 });
      return alert?.annotations.total_dropped === '2' ? alert : undefined;
    }, 10_000);
    expect(await app.alerting.list({ name: 'prediction_log_dropped', limit: 5 })).toHaveLength(1);
    expect(await app.alerting.deliver()).toBe(0);
    expect(hooks()).toHaveLength(1);
  });
});
