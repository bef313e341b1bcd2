/** What the configuration accepts as `dataset.source` URLs, checked before anything is read. */

export const isPostgresSource = (source: string): boolean => /^postgres(ql)?:\/\//i.test(source);

/** Why a PostgreSQL source URL cannot be used, or undefined. Never repeats the URL, which may hold a secret. */
export function postgresSourceProblem(source: string): string | undefined {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return 'not a valid PostgreSQL URL (postgres://user@host:port/database)';
  }
  if (url.password !== '' || url.searchParams.has('password')) {
    return 'the URL holds a password: remove it, and give it in PGPASSWORD or MLOOP_DATASET_PASSWORD';
  }
  return undefined;
}
