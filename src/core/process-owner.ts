/**
 * The process that executes a run, as recorded on the run: enough for another process on the same
 * machine to tell for certain that it died (its pid gone, or reused by a process that started
 * later), and for a person to see where it ran.
 */
export interface ProcessOwner {
  readonly host: string;
  readonly pid: number;
  /** When the process started (ISO 8601). */
  readonly startedAt: string;
  /**
   * Where pids name the same processes: the kernel's boot and the pid namespace (Linux), so two
   * containers or two machines that share a host name are never mistaken for one another. Null
   * where that cannot be known: then only the heartbeat tells the process is gone.
   */
  readonly pidScope: string | null;
  /** The kernel's start time of the process (clock ticks since boot), which a reused pid does not share. */
  readonly startTicks: string | null;
}
