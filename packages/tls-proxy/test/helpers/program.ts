import { request } from 'node:http';
import { join } from 'node:path';
import { Child } from '@toolkit/test-helpers';

export const sourceMain = join(import.meta.dirname, '..', '..', 'src', 'main.ts');
export const bundle = join(import.meta.dirname, '..', '..', 'dist', 'tls-proxy.mjs');

export interface StartedProgram {
  child: Child;
  httpsPort: number;
  adminPort: number;
}

const portOf = (line: Record<string, unknown>) => Number(String(line.address).split(':').at(-1));

/** The real program in a child process, on 127.0.0.1:0 for both listeners; resolves once it is up. */
export async function startProgram(
  file: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<StartedProgram> {
  const child = new Child(file, ['--listen', '127.0.0.1:0', '--admin-addr', '127.0.0.1:0', ...args], env);
  const admin = await child.waitForLog((line) => line.msg === 'admin server listening');
  const https = await child.waitForLog((line) => line.msg === 'HTTPS listener up');
  return { child, httpsPort: portOf(https), adminPort: portOf(admin) };
}

/** GET on the admin server: status and body. */
export function getAdmin(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
