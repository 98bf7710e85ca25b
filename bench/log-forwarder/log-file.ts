import { open } from 'node:fs/promises';

const methods = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const paths = ['/api/orders', '/api/users/42', '/static/app.js', '/healthz', '/api/search?q=shoes&page=2'];
const agents = ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36', 'curl/8.5.0', 'kube-probe/1.31'];

/** An nginx-style access line of about 200 bytes, numbered (`seq=N`) so a sink can check it. */
function accessLine(seq: number): string {
  const ip = `10.${(seq >> 16) & 255}.${(seq >> 8) & 255}.${seq & 255}`;
  const method = methods[seq % methods.length];
  const path = paths[seq % paths.length];
  const agent = agents[seq % agents.length];
  const line = `${ip} - - [01/May/2026:10:00:00 +0000] "${method} ${path} HTTP/1.1" ${200 + (seq % 5)} ${seq % 9000} "-" "${agent}" seq=${seq}`;
  return `${line}${' '.repeat(Math.max(0, 199 - line.length))}\n`;
}

/**
 * How the lines are written: `plain` access lines, `json` (the access line's fields as a JSON
 * object with an RFC 3339 `time`, as an app logging JSON writes), or `cri` (access lines as the
 * kubelet writes a container's stdout).
 */
export type LogShape = 'plain' | 'json' | 'cri';

/** `2026-05-01T10:00:00.123456789Z`, a time that moves on with the sequence number. */
function timeOf(seq: number): string {
  const ms = Date.UTC(2026, 4, 1, 10) + Math.floor(seq / 10);
  return `${new Date(ms).toISOString().slice(0, -1)}${String((seq % 10) * 100_000).padStart(6, '0')}Z`;
}

function jsonLine(seq: number): string {
  const fields = {
    time: timeOf(seq),
    remote: `10.${(seq >> 16) & 255}.${(seq >> 8) & 255}.${seq & 255}`,
    method: methods[seq % methods.length],
    path: paths[seq % paths.length],
    status: 200 + (seq % 5),
    bytes: seq % 9000,
    agent: agents[seq % agents.length],
    msg: `seq=${seq}`,
  };
  const line = JSON.stringify(fields);
  return `${line}${' '.repeat(Math.max(0, 199 - line.length))}\n`;
}

function lineOf(shape: LogShape, seq: number): string {
  if (shape === 'json') return jsonLine(seq);
  if (shape === 'cri') return `${timeOf(seq)} stdout F ${accessLine(seq)}`;
  return accessLine(seq);
}

/** Writes `lines` lines of `shape` to `path` in large writes; returns the size in bytes. */
export async function writeLogFile(path: string, lines: number, shape: LogShape = 'plain'): Promise<number> {
  const handle = await open(path, 'w');
  let bytes = 0;
  try {
    for (let seq = 1; seq <= lines; ) {
      let text = '';
      for (const end = Math.min(lines, seq + 9999); seq <= end; seq++) text += lineOf(shape, seq);
      const chunk = Buffer.from(text);
      await handle.write(chunk);
      bytes += chunk.length;
    }
  } finally {
    await handle.close();
  }
  return bytes;
}
