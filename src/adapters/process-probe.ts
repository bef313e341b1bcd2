import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import type { ProcessOwner } from '../core/process-owner.js';

/** What /proc says of a process (Linux), or null when it has no entry there. */
interface ProcStat {
  readonly state: string;
  readonly startTicks: string;
}

function procStat(pid: number | 'self'): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields count from the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Fields 3 (state) and 22 (starttime) of proc(5), numbered from 1 and from the pid.
  return { state: fields[0], startTicks: fields[19] };
}

function readOrNull(read: () => string): string | null {
  try {
    return read().trim();
  } catch {
    return null;
  }
}

let self: ProcessOwner | undefined;

/** This process, as runs record their owner. */
export function currentProcessOwner(): ProcessOwner {
  if (self) return self;
  const bootId = readOrNull(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8'));
  const pidNamespace = readOrNull(() => readlinkSync('/proc/self/ns/pid'));
  self = {
    host: hostname(),
    pid: process.pid,
    startedAt: new Date(Math.round(performance.timeOrigin)).toISOString(),
    pidScope: bootId !== null && pidNamespace !== null ? `${bootId} ${pidNamespace}` : null,
    startTicks: procStat('self')?.startTicks ?? null,
  };
  return self;
}

/** Whether a process with this pid exists, to the best of what a signal-0 probe can tell. */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, run by another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Whether `owner` is provably dead: it ran in this process's pid space (same boot, same pid
 * namespace) and its pid is gone, belongs to a zombie, or now names a process that started at
 * another time (the pid was reused). Anything that cannot be told for certain (another machine,
 * another container, no /proc) is not dead: the heartbeat's stale limit decides then.
 */
export function isProvablyDead(owner: ProcessOwner, here: ProcessOwner = currentProcessOwner()): boolean {
  if (owner.pidScope === null || owner.pidScope !== here.pidScope) return false;
  if (owner.pid === here.pid) return owner.startTicks !== here.startTicks;
  const stat = procStat(owner.pid);
  // No entry in /proc: gone, unless /proc hides other users' processes (hidepid) and it exists.
  if (stat === null) return !pidExists(owner.pid);
  return stat.state === 'Z' || stat.state === 'X' || (owner.startTicks !== null && stat.startTicks !== owner.startTicks);
}
