/** The Python stack: whether it is there, and the peer process that runs scikit-learn in-process. */
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const pythonBin = '/usr/bin/python3';
export const pythonDir = fileURLToPath(new URL('../python/', import.meta.url));

const required = [
  { module: 'sklearn', debian: 'python3-sklearn' },
  { module: 'fastapi', debian: 'python3-fastapi' },
  { module: 'uvicorn', debian: 'python3-uvicorn' },
  { module: 'flask', debian: 'python3-flask' },
  { module: 'gunicorn', debian: 'gunicorn' },
];

/** null when everything is there, else what is missing and how to install it. */
export function missingPython(): string | null {
  if (!existsSync(pythonBin)) return `${pythonBin} not found (apt-get install -y python3 ${required.map((r) => r.debian).join(' ')})`;
  const missing = required.filter(({ module }) => {
    try {
      execFileSync(pythonBin, ['-c', `import ${module}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return null;
  return `missing ${missing.map((m) => m.module).join(', ')} for ${pythonBin} (apt-get install -y ${missing.map((m) => m.debian).join(' ')})`;
}

/** peer.py: one JSON command per line in, one JSON answer per line out. */
export class PythonPeer {
  private readonly child: ChildProcess;
  private readonly answers: ((line: string) => void)[] = [];
  private stderr = '';

  constructor() {
    this.child = spawn(pythonBin, [`${pythonDir}peer.py`], { cwd: pythonDir, stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) => this.answers.shift()?.(line));
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000);
    });
  }

  async call<T>(command: Record<string, unknown>): Promise<T> {
    const line = await new Promise<string>((resolve, reject) => {
      const onExit = () => reject(new Error(`peer.py exited during ${String(command.cmd)}:\n${this.stderr}`));
      this.child.once('exit', onExit);
      this.answers.push((answer) => {
        this.child.off('exit', onExit);
        resolve(answer);
      });
      this.child.stdin?.write(`${JSON.stringify(command)}\n`);
    });
    const answer = JSON.parse(line) as { ok: boolean; error?: string } & T;
    if (!answer.ok) throw new Error(`peer.py ${String(command.cmd)} failed: ${answer.error}\n${this.stderr}`);
    return answer;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
