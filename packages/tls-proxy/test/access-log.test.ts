import { Agent } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeServerFiles, type Pem } from './helpers/certificates.ts';
import { httpsRequest } from './helpers/client.ts';
import { sourceMain, startProgram } from './helpers/program.ts';
import { servingArgs } from './helpers/proxy.ts';
import { TestUpstream } from './helpers/upstream.ts';

// The access log is written in batches (lifecycle's buffered logger): the program killed by SIGTERM
// right after its last request must still have written one line for every request.
describe.each([['1'], ['2']])('the access log with --workers %s', (workers) => {
  const upstream = new TestUpstream();
  let ca: Pem;
  let files: { cert: string; key: string };

  beforeAll(async () => {
    await upstream.start();
    ({ ca, files } = await makeServerFiles());
  });
  afterAll(() => upstream.stop());

  it('has every request in it after a SIGTERM right behind the last one', async () => {
    const program = await startProgram(sourceMain, [
      ...servingArgs(upstream.url, files),
      '--workers',
      workers,
      '--shutdown-delay',
      '0s',
    ]);
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const total = 120;
    const replies = await Promise.all(
      Array.from({ length: total }, (_, i) =>
        httpsRequest(`https://127.0.0.1:${program.httpsPort}/n/${i}`, { ca: ca.cert, agent }),
      ),
    );
    expect(replies.every((reply) => reply.status === 200)).toBe(true);
    program.child.process.kill('SIGTERM');
    expect(await program.child.exitCode()).toBe(0);
    agent.destroy();
    const lines = program.child.logs.filter((line) => line.msg === 'request');
    const logged = lines.map((line) => line.path);
    expect(new Set(logged).size).toBe(total);
    expect(lines[0]).toMatchObject({ method: 'GET', status: 200, http: '1.1', client: '127.0.0.1' });
    expect(logged).toHaveLength(total);
  });
});
