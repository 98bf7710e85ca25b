import { type ProgramDefinition, toolkitVersion } from '@toolkit/lifecycle';
import { runLogForwarder } from './app.ts';
import { ForwarderMetrics } from './metrics.ts';
import { options } from './options.ts';

/** The program, importable without running it (the docs read its option table). */
export const definition: ProgramDefinition<typeof options> = {
  name: 'log-forwarder',
  version: toolkitVersion,
  summary:
    "follows the app's log files in a shared volume and ships every line to stdout, HTTP, Loki, Elasticsearch or OpenTelemetry (OTLP): none lost, none twice.",
  usage:
    'log-forwarder --path GLOB [--path GLOB...] (--stdout | --http-url URL | --loki-url URL | --elasticsearch-url URL | --otlp-url URL) [options]',
  options,
  endpoints: [
    {
      method: 'GET',
      path: '/files',
      help: 'Each followed file with its read and committed offsets, as JSON.',
    },
  ],
  metrics: (registry) => new ForwarderMetrics(registry),
  main: runLogForwarder,
};
