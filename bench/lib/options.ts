/** What one `npm run bench` does: the full run, or the CI smoke run (seconds, no Python). */
export const workloadNames = ['cold-start', 'http', 'in-process', 'grid-search'] as const;
export type WorkloadName = (typeof workloadNames)[number];

export interface BenchOptions {
  readonly smoke: boolean;
  /** Compare with the Python stack (never in smoke mode: CI needs no Python). */
  readonly python: boolean;
  readonly only: ReadonlySet<WorkloadName>;
  /** Seconds of one wrk measurement, and of the warm-up each server gets first. */
  readonly wrkSeconds: number;
  readonly warmupSeconds: number;
  /** Measurements of each HTTP configuration, taken in interleaved rounds. */
  readonly rounds: number;
  readonly connections: number;
  readonly batchRowsHttp: number;
  readonly batchRowsInProcess: readonly number[];
  readonly inProcessRuns: number;
  /** Replication factors of the training rows, each with its number of timed runs. */
  readonly gridFactors: readonly { readonly factor: number; readonly runs: number }[];
  readonly coldStartRuns: number;
  /** The smoke run's small grid (the full run uses the configuration's default grid). */
  readonly grid: { readonly C: readonly number[]; readonly gamma: readonly number[] } | null;
  readonly keepTemp: boolean;
}

const usage = `usage: npm run bench [-- --smoke] [--no-python] [--only=${workloadNames.join(',')}] [--keep-temp]
  --smoke        seconds-long run of every workload's mloop code path, no Python (also MLOOP_BENCH_SMOKE=1)
  --no-python    skip the Python peers
  --only=LIST    run only these workloads
  --keep-temp    keep the temporary directory (stores, logs, data files)`;

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  let smoke = env.MLOOP_BENCH_SMOKE === '1' || env.MLOOP_BENCH_SMOKE === 'true';
  let python = true;
  let keepTemp = false;
  let only = new Set<WorkloadName>(workloadNames);
  for (const arg of argv) {
    if (arg === '--smoke') smoke = true;
    else if (arg === '--no-python') python = false;
    else if (arg === '--keep-temp') keepTemp = true;
    else if (arg.startsWith('--only=')) {
      const names = arg.slice('--only='.length).split(',');
      const unknown = names.filter((n) => !(workloadNames as readonly string[]).includes(n));
      if (unknown.length > 0) throw new Error(`--only: unknown workload ${unknown.join(', ')}\n${usage}`);
      only = new Set(names as WorkloadName[]);
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}\n${usage}`);
  }
  if (smoke) {
    return {
      smoke,
      python: false,
      only,
      wrkSeconds: 1,
      warmupSeconds: 0,
      rounds: 1,
      connections: 32,
      batchRowsHttp: 100,
      batchRowsInProcess: [1_000, 4_000],
      inProcessRuns: 1,
      gridFactors: [
        { factor: 1, runs: 1 },
        { factor: 2, runs: 1 },
      ],
      coldStartRuns: 1,
      grid: { C: [1, 10], gamma: [0.1, 0.01] },
      keepTemp,
    };
  }
  return {
    smoke,
    python,
    only,
    wrkSeconds: 3,
    warmupSeconds: 1,
    rounds: 3,
    connections: 32,
    batchRowsHttp: 100,
    batchRowsInProcess: [10_000, 100_000],
    inProcessRuns: 5,
    gridFactors: [
      { factor: 1, runs: 5 },
      { factor: 4, runs: 3 },
      { factor: 16, runs: 1 },
    ],
    coldStartRuns: 5,
    grid: null,
    keepTemp,
  };
}
