import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
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
  let data: unknown;
  try {
    // YAML is a superset of JSON, so one parser reads both formats.
    data = parseYaml(text);
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
