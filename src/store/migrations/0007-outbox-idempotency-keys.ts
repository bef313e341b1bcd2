import type { Migration } from 'kysely';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from './migration-helpers.js';

/**
 * Each outbox item gets a key of its own that every attempt sends (the e-mail's Message-ID, the
 * webhook's Idempotency-Key), so a receiver can drop the copy that at-least-once delivery sends
 * after a crash between a send and its record. Rows already queued get a random key as new rows
 * do; the unique index makes a forgotten key (the column's default '') fail at the second insert.
 */
export function outboxIdempotencyKeys(): Migration {
  return {
    async up(db: Db): Promise<void> {
      await db.schema
        .alterTable('outbox')
        .addColumn('idempotency_key', 'text', (col) => col.notNull().defaultTo(''))
        .execute();
      const page = 500;
      for (;;) {
        const { rows } = await sql<{ id: number }>`select id from outbox where idempotency_key = '' order by id limit ${page}`.execute(db);
        if (rows.length === 0) break;
        for (const { id } of rows) await sql`update outbox set idempotency_key = ${randomUUID()} where id = ${id}`.execute(db);
      }
      await db.schema.createIndex('outbox_idempotency_key_index').on('outbox').column('idempotency_key').unique().execute();
    },
  };
}
