import { createRequire } from 'node:module';

let version: string | undefined;

/** mloop's version from package.json (two levels up from both src/http and dist/http). */
export function packageVersion(): string {
  version ??= (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  return version;
}
