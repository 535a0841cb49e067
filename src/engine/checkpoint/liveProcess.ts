/** Whether a process id names a running process on this machine, for telling a dead writer's leftovers from a live one's. */
import { readFileSync } from 'node:fs';

export function isProcessAlive(pid: number): boolean {
  // 0 and negative ids name process groups to kill(), not one process.
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  // A killed process whose parent died with it stays a zombie until init reaps it, and under a
  // container's init that does not reap (seen here) that is never: kill(pid, 0) still succeeds.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
