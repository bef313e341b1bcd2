import type { StoreDialect } from '../store-dialect.js';

/**
 * SQLite locks the whole file, not rows, and every mloop transaction on it starts with BEGIN
 * IMMEDIATE (see MloopSqliteDialect), taking the file's write lock before it reads anything. So
 * transactions of all processes already run one after another, and there is nothing to add.
 */
export const sqliteStoreDialect: StoreDialect = {
  name: 'sqlite',
  acquireTransactionLock: async () => {},
  skipLocked: (query) => query,
};
