import type { ChildProcess } from 'node:child_process';

/**
 * Stops a child the way Kubernetes does: SIGTERM, then SIGKILL if it is still there after `graceMs`.
 * Resolves once it has exited (at once if it already had).
 */
export async function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
