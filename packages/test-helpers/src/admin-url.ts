import type { Child } from './child.ts';

/** The base URL of a program's admin server (`http://HOST:PORT`), once its log says it listens. */
export async function adminUrl(child: Child, ms = 15_000): Promise<string> {
  const line = await child.waitForLog((l) => l.msg === 'admin server listening', ms);
  return `http://${line.address as string}`;
}
