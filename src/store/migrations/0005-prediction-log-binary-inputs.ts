import type { Migration } from 'kysely';
import { sql } from 'kysely';
import { float64Blob } from '../column-values.js';
import type { Dialect } from '../store-dialect.js';
import type { Db } from './migration-helpers.js';

/**
 * The prediction log gets one row per prediction, so its write cost is on every prediction's path.
 * Inputs become a blob of little-endian doubles (a third of the bytes of their JSON text, and no
 * JSON to write or parse; NaN and -0 survive too). The case-number and confirmation indexes
 * become partial: most predictions have neither, and a row an index leaves out costs it nothing.
 * SQLite cannot change a column's type in place, so the table is rebuilt (the same on both
 * dialects) and the rows copied in pages, their inputs converted on the way.
 */
export function predictionLogBinaryInputs(dialect: Dialect): Migration {
  return {
    async up(db: Db): Promise<void> {
      await db.schema
        .createTable('predictions_binary')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('model_version', 'integer', (col) => col.notNull())
        .addColumn('route', 'text', (col) => col.notNull())
        .addColumn('input', dialect === 'postgres' ? sql`bytea` : 'blob', (col) => col.notNull())
        .addColumn('label', 'text', (col) => col.notNull())
        .addColumn('decision', 'double precision', (col) => col.notNull())
        .addColumn('latency_ms', 'double precision', (col) => col.notNull())
        .addColumn('external_id', 'text')
        .addColumn('actual', 'text')
        .addColumn('confirmed_at', 'text')
        .execute();
      const kept = ['id', 'created_at', 'model_version', 'route', 'label', 'decision', 'latency_ms', 'external_id', 'actual', 'confirmed_at'];
      const keptColumns = sql.join(kept.map((column) => sql.ref(column)));
      const page = 1000;
      for (let after = ''; ; ) {
        const { rows } = await sql<Record<string, unknown> & { id: string; input_json: string }>`
          select ${keptColumns}, input_json from predictions where id > ${after} order by id limit ${page}`.execute(db);
        if (rows.length === 0) break;
        const values = rows.map((row) => sql`(${sql.join([...kept.map((column) => row[column]), float64Blob(JSON.parse(row.input_json) as number[])])})`);
        await sql`insert into predictions_binary (${keptColumns}, input) values ${sql.join(values)}`.execute(db);
        after = rows[rows.length - 1].id;
      }
      await db.schema.dropTable('predictions').execute();
      await db.schema.alterTable('predictions_binary').renameTo('predictions').execute();
      await db.schema.createIndex('predictions_created_at_index').on('predictions').column('created_at').execute();
      await db.schema
        .createIndex('predictions_external_id_index')
        .on('predictions')
        .column('external_id')
        .where(sql<boolean>`${sql.ref('external_id')} is not null`)
        .execute();
      await db.schema
        .createIndex('predictions_confirmed_index')
        .on('predictions')
        .columns(['model_version', 'confirmed_at'])
        .where(sql<boolean>`${sql.ref('actual')} is not null`)
        .execute();
    },
  };
}
