/** The soak's command line: `--minutes N`, `--sample-seconds S`, `--seed N`, `--max-rss-slope MiB/h`, `--keep-temp`. */
export interface SoakOptions {
  readonly minutes: number;
  readonly sampleSeconds: number;
  readonly seed: number;
  /** The RSS growth, in MiB per hour over the second half of the run, above which the verdict fails. */
  readonly maxRssSlope: number;
  readonly keepTemp: boolean;
}

export function parseSoakOptions(argv: readonly string[]): SoakOptions {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(arg)}: expected --minutes N, --sample-seconds S, --seed N, --max-rss-slope MIB, --keep-temp`);
    const [name, inline] = arg.slice(2).split('=', 2);
    if (name === 'keep-temp') flags.add(name);
    else values.set(name, inline ?? argv[++i] ?? '');
  }
  const number = (name: string, fallback: number, min: number): number => {
    const raw = values.get(name);
    values.delete(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min) throw new Error(`--${name}: expected a number ≥ ${min}, got ${JSON.stringify(raw)}`);
    return value;
  };
  const minutes = number('minutes', 5, 0.1);
  const options: SoakOptions = {
    minutes,
    // About 30 rows in the table, at most one a minute apart, at least five seconds.
    sampleSeconds: number('sample-seconds', Math.min(60, Math.max(5, Math.round((minutes * 60) / 30))), 1),
    seed: Math.trunc(number('seed', Date.now() % 1_000_000, 0)),
    maxRssSlope: number('max-rss-slope', 20, 0),
    keepTemp: flags.has('keep-temp'),
  };
  const unknown = [...values.keys()];
  if (unknown.length > 0) throw new Error(`unknown option --${unknown[0]}`);
  return options;
}
