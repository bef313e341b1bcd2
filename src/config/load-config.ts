import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { Config } from './schema.js';
import { ConfigError, parseConfig } from './schema.js';

/** Reads the configuration from `--config FILE`, else `MLOOP_CONFIG`, else uses the defaults. */
export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Config {
  const path = file ?? env.MLOOP_CONFIG;
  if (!path) return parseConfig({});
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read configuration file ${path}: ${(cause as Error).message}`, { cause });
  }
  // YAML is a superset of JSON, so one parser reads both formats. Loaded only for a file (a start on
  // the defaults skips it); require keeps this function synchronous.
  const { parse } = createRequire(import.meta.url)('yaml') as typeof Yaml;
  let data: unknown;
  try {
    data = parse(text);
  } catch (cause) {
    throw new ConfigError(`configuration file ${path} is not valid YAML/JSON: ${(cause as Error).message}`, { cause });
  }
  try {
    return parseConfig(data);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${path}: ${e.message}`, { cause: e });
    throw e;
  }
}
