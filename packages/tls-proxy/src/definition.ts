import { type ProgramDefinition, toolkitVersion } from '@toolkit/lifecycle';
import { runTlsProxy } from './app.ts';
import { ProxyMetrics } from './metrics.ts';
import { options } from './options.ts';

/** The program, importable without running it (the docs read its option table). */
export const definition: ProgramDefinition<typeof options> = {
  name: 'tls-proxy',
  version: toolkitVersion,
  summary:
    'terminates HTTPS (optionally mTLS) in front of a plain-HTTP app on localhost and proxies to it, with certificate reload, forwarded headers, limits and a graceful drain.',
  usage: 'tls-proxy --tls-cert FILE --tls-key FILE [--upstream http://127.0.0.1:8080] [options]',
  options,
  endpoints: [
    {
      method: 'ANY',
      path: '--listen /*',
      help: 'Every request on --listen, over TLS, proxied to --upstream.',
    },
  ],
  metrics: (registry) => new ProxyMetrics(registry),
  main: runTlsProxy,
};
