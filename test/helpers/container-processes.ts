// The processes of a running container as its /proc shows them, read with `docker exec` of the node the
// image already has (no ps or shell needed): to find zombies left under PID 1.
import { docker } from './docker.ts';

export interface ContainerProcess {
  pid: number;
  ppid: number;
  /** The one-letter state of /proc/<pid>/stat: R, S, D, Z (zombie), … */
  state: string;
  comm: string;
}

const readProc = `
const fs = require('fs');
const rows = [];
for (const pid of fs.readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name))) {
  try {
    const stat = fs.readFileSync('/proc/' + pid + '/stat', 'utf8');
    const end = stat.lastIndexOf(')');
    const [state, ppid] = stat.slice(end + 2).split(' ');
    rows.push({ pid: Number(pid), ppid: Number(ppid), state, comm: stat.slice(stat.indexOf('(') + 1, end) });
  } catch {}
}
process.stdout.write(JSON.stringify(rows.filter((row) => row.pid !== process.pid)));
`;

export async function containerProcesses(container: string): Promise<ContainerProcess[]> {
  return JSON.parse(await docker(['exec', container, 'node', '-e', readProc]));
}

/**
 * The zombies of a container that are still zombies a second later, as `pid comm (parent ppid)` for a
 * readable failure. A child that exits is a zombie until its parent reaps it, a moment under a PID 1
 * that reaps; while commands keep running, one seen once may be that moment. Under a PID 1 that does
 * not reap, every zombie stays.
 */
export async function zombiesOf(container: string): Promise<string[]> {
  const zombies = async () =>
    (await containerProcesses(container))
      .filter((p) => p.state === 'Z')
      .map((p) => `${p.pid} ${p.comm} (parent ${p.ppid})`);
  const first = await zombies();
  if (first.length === 0) return [];
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const later = new Set(await zombies());
  return first.filter((zombie) => later.has(zombie));
}
