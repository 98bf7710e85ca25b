import { isAbsolute, resolve } from 'node:path';
import { type Config, UsageError } from '@toolkit/lifecycle';
import type { options } from './options.ts';
import { createLineParser, type LineParser } from './reading/parse-line.ts';
import type { SinkSpec } from './sink-spec.ts';
import { parseHttpTarget } from './sinks/http/http-target.ts';
import { type LabelField, lokiLabelName } from './sinks/http/loki-streams.ts';

/** Option values the table cannot check by itself, turned into what the parts take. */
export interface Settings {
  include: string[];
  exclude: string[];
  labels: Record<string, string>;
  multilineStart: RegExp | undefined;
  parser: LineParser | undefined;
  sinks: SinkSpec[];
}

/** A bad option value found after parsing: a usage error, which lifecycle prints before exiting 2. */
export class SettingsError extends UsageError {
  constructor(message: string) {
    super('BAD_VALUE', message);
  }
}

export function parseLabels(items: readonly string[], forLoki: boolean): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const item of items) {
    const at = item.indexOf('=');
    const key = item.slice(0, at).trim();
    if (at <= 0 || key === '') {
      throw new SettingsError(`--label: invalid value ${JSON.stringify(item)}: expected KEY=VALUE`);
    }
    // Loki rejects a whole push whose label names break its rule, so catch it before the first batch.
    if (forLoki && !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(key)) {
      throw new SettingsError(`--label: ${JSON.stringify(key)} is not a valid Loki label name`);
    }
    labels[key] = item.slice(at + 1);
  }
  return labels;
}

export function compileRegex(flag: string, source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (error) {
    throw new SettingsError(`${flag}: invalid regular expression: ${(error as Error).message}`);
  }
}

function headersFrom(items: readonly string[], flag = '--http-header'): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const item of items) {
    const at = item.indexOf(':');
    if (at <= 0)
      throw new SettingsError(`${flag}: invalid value ${JSON.stringify(item)}: expected NAME:VALUE`);
    headers[item.slice(0, at).trim().toLowerCase()] = item.slice(at + 1).trim();
  }
  return headers;
}

function targetFrom(flag: string, url: string, headers: Record<string, string>, authorization?: string) {
  const target = parseHttpTarget(url, headers, authorization);
  if (!target)
    throw new SettingsError(`${flag}: invalid value ${JSON.stringify(url)}: expected an http(s) URL`);
  return target;
}

/** --loki-label-from: fields need --parse, and a label name taken by --label or `filename` is refused. */
function labelFieldsFrom(config: Config<typeof options>): LabelField[] {
  if (config.lokiLabelFrom.length > 0 && config.parse === 'none') {
    throw new SettingsError('--loki-label-from needs --parse (json or regex): fields come from parsed lines');
  }
  const taken = new Set(['filename', ...Object.keys(parseLabels(config.label, true))]);
  const fields: LabelField[] = [];
  for (const field of config.lokiLabelFrom) {
    const label = lokiLabelName(field.trim());
    if (field.trim() === '' || taken.has(label)) {
      throw new SettingsError(
        `--loki-label-from: ${JSON.stringify(field)} ${field.trim() === '' ? 'is empty' : `gives the label ${JSON.stringify(label)}, which is already set (--label, filename or another field)`}`,
      );
    }
    taken.add(label);
    fields.push({ field: field.trim(), label });
  }
  return fields;
}

function deriveSinks(config: Config<typeof options>): SinkSpec[] {
  const sinks: SinkSpec[] = [];
  if (config.stdout) sinks.push({ kind: 'stdout', format: config.stdoutFormat as 'line' | 'json' });
  if (config.httpUrl) {
    const target = targetFrom(
      '--http-url',
      config.httpUrl,
      headersFrom(config.httpHeader),
      config.httpAuthorization,
    );
    sinks.push({ kind: 'http', target, format: config.httpFormat as 'ndjson' | 'json' });
  }
  if (config.lokiUrl) {
    const headers: Record<string, string> = config.lokiTenant ? { 'x-scope-orgid': config.lokiTenant } : {};
    sinks.push({
      kind: 'loki',
      target: targetFrom('--loki-url', config.lokiUrl, headers, config.lokiAuthorization),
      labelFrom: labelFieldsFrom(config),
      structuredMetadata: config.lokiStructuredMetadata,
      maxLabelValues: config.lokiLabelMaxValues,
    });
  }
  if (config.elasticsearchUrl) {
    const target = targetFrom(
      '--elasticsearch-url',
      config.elasticsearchUrl,
      {},
      config.elasticsearchAuthorization,
    );
    const action = config.elasticsearchAction as 'create' | 'index';
    sinks.push({ kind: 'elasticsearch', target, index: config.elasticsearchIndex, action });
  }
  if (config.otlpUrl) {
    const target = targetFrom(
      '--otlp-url',
      config.otlpUrl,
      headersFrom(config.otlpHeader, '--otlp-header'),
      config.otlpAuthorization,
    );
    sinks.push({ kind: 'otlp', target, encoding: config.otlpEncoding as 'protobuf' | 'json' });
  }
  if (sinks.length === 0) {
    throw new SettingsError(
      'no sink: set --stdout, --http-url, --loki-url, --elasticsearch-url or --otlp-url (or their env vars)',
    );
  }
  return sinks;
}

/** A relative glob is taken from the working directory, as a shell would. */
function absoluteGlob(glob: string): string {
  return isAbsolute(glob) ? glob : resolve(glob);
}

export function deriveSettings(config: Config<typeof options>): Settings {
  // The option is required, but an empty list (`--path ''`) still gets past the parser.
  if (config.path.length === 0)
    throw new SettingsError('missing required option --path (or LOG_FORWARDER_PATH)');
  if (config.parse === 'regex' && !config.parseRegex)
    throw new SettingsError('--parse regex needs --parse-regex');
  const sinks = deriveSinks(config);
  return {
    include: config.path.map(absoluteGlob),
    exclude: config.exclude.map((glob) => (glob.includes('/') ? absoluteGlob(glob) : glob)),
    labels: parseLabels(
      config.label,
      sinks.some((sink) => sink.kind === 'loki'),
    ),
    multilineStart: config.multilineStart
      ? compileRegex('--multiline-start', config.multilineStart)
      : undefined,
    parser: createLineParser(
      config.parse as 'none' | 'json' | 'regex',
      config.parseRegex ? compileRegex('--parse-regex', config.parseRegex) : undefined,
    ),
    sinks,
  };
}
