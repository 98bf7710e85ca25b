import { type ProgramDefinition, toolkitVersion } from '@toolkit/lifecycle';
import { runConfigSyncer } from './app.ts';
import { SyncerMetrics } from './metrics.ts';
import { options } from './options.ts';

/** The program, importable without running it (the docs read its option table). */
export const definition: ProgramDefinition<typeof options> = {
  name: 'config-syncer',
  version: toolkitVersion,
  summary:
    'keeps the config files in a directory shared with the app in sync with a directory or a URL, atomically and validated, and tells the app.',
  usage: 'config-syncer --source DIR|URL --target DIR [options]',
  options,
  endpoints: [],
  metrics: (registry) => new SyncerMetrics(registry),
  main: runConfigSyncer,
};
