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

/** Writes `lines` access lines to `path` in large writes; returns the size in bytes. */
export async function writeLogFile(path: string, lines: number): Promise<number> {
  const handle = await open(path, 'w');
  let bytes = 0;
  try {
    for (let seq = 1; seq <= lines; ) {
      let text = '';
      for (const end = Math.min(lines, seq + 9999); seq <= end; seq++) text += accessLine(seq);
      const chunk = Buffer.from(text);
      await handle.write(chunk);
      bytes += chunk.length;
    }
  } finally {
    await handle.close();
  }
  return bytes;
}
