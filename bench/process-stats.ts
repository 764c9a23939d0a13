import { readFile } from 'node:fs/promises';

/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ; 100 on Linux everywhere that matters). */
const TICKS_PER_SECOND = 100;

/** CPU time a process has used so far (user + system), in microseconds, from `/proc/<pid>/stat`. */
export async function cpuMicros(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at ")".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000_000) / TICKS_PER_SECOND;
}

/** The most memory the process has held at once (VmHWM), in MB. */
export async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}
