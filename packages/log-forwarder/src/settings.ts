import { isAbsolute, resolve } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { badOption, type Config, UsageError } from '@toolkit/lifecycle';
import type { options } from './options.ts';
import type { ContainerFormat } from './reading/container-lines.ts';
import { checkBufferFitsHeap } from './reading/memory-budget.ts';
import { type MultilinePreset, multilinePresets, type RecordStart } from './reading/multiline.ts';
import { createLineParser, type ParseMode } from './reading/parse-line.ts';
import { hasRules, type RecordRules } from './reading/record-shaper.ts';
import { parseRedaction, type Redaction, redactionPresets } from './reading/redaction.ts';
import { createTimeReader } from './records/event-time.ts';
import type { SinkSpec } from './sink-spec.ts';
import { parseHttpTarget } from './sinks/http/http-target.ts';
import { type LabelField, lokiLabelName } from './sinks/http/loki-streams.ts';
import { ecsDocumentKeys, jsonDocumentKeys } from './sinks/serialize.ts';

/** Option values the table cannot check by itself, turned into what the parts take. */
export interface Settings {
  include: string[];
  exclude: string[];
  labels: Record<string, string>;
  multilineStart: RecordStart | undefined;
  format: ContainerFormat | undefined;
  /** What is done to each record; undefined when nothing is (lines go to the sinks as they are). */
  recordRules: RecordRules | undefined;
  ignoreOlderMs: number | undefined;
  sinks: SinkSpec[];
}

export function parseLabels(items: readonly string[], forLoki: boolean): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const item of items) {
    const at = item.indexOf('=');
    const key = item.slice(0, at).trim();
    if (at <= 0 || key === '') {
      throw badOption('label', `invalid value ${JSON.stringify(item)}: expected KEY=VALUE`);
    }
    // Loki rejects a whole push whose label names break its rule, so catch it before the first batch.
    if (forLoki && !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(key)) {
      throw badOption('label', `${JSON.stringify(key)} is not a valid Loki label name`);
    }
    labels[key] = item.slice(at + 1);
  }
  return labels;
}

/** The keys a sink's document writes itself, with the sink's name; none for a sink without such keys. */
function documentKeysOf(sink: SinkSpec): { name: string; keys: readonly string[] } | undefined {
  if (sink.kind === 'http') return { name: '--http-url', keys: jsonDocumentKeys };
  if (sink.kind === 'stdout' && sink.format === 'json')
    return { name: '--stdout-format json', keys: jsonDocumentKeys };
  if (sink.kind === 'elasticsearch') return { name: '--elasticsearch-url', keys: ecsDocumentKeys };
  return undefined;
}

/**
 * A label named like a key a sink's document writes itself (`path` in the JSON document) would give
 * that key twice, and readers keep either: refused at start rather than renamed behind the user's back.
 */
function checkLabelNames(labels: Record<string, string>, sinks: readonly SinkSpec[]): void {
  for (const sink of sinks) {
    const document = documentKeysOf(sink);
    const clash = document && Object.keys(labels).find((key) => document.keys.includes(key));
    if (clash !== undefined) {
      throw badOption(
        'label',
        `${JSON.stringify(clash)} is a key the document of ${document!.name} already has (${document!.keys.join(', ')}): choose another name`,
      );
    }
  }
}

export function compileRegex(key: string, source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (error) {
    throw badOption(key, `invalid regular expression: ${(error as Error).message}`);
  }
}

function headersFrom(items: readonly string[], key = 'httpHeader'): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const item of items) {
    const at = item.indexOf(':');
    if (at <= 0) throw badOption(key, `invalid value ${JSON.stringify(item)}: expected NAME:VALUE`);
    headers[item.slice(0, at).trim().toLowerCase()] = item.slice(at + 1).trim();
  }
  return headers;
}

function targetFrom(key: string, url: string, headers: Record<string, string>, authorization?: string) {
  const target = parseHttpTarget(url, headers, authorization);
  if (!target) throw badOption(key, `invalid value ${JSON.stringify(url)}: expected an http(s) URL`);
  return target;
}

/** --loki-label-from: fields need --parse, and a label name taken by --label or `filename` is refused. */
function labelFieldsFrom(config: Config<typeof options>): LabelField[] {
  if (config.lokiLabelFrom.length > 0 && config.parse === 'none') {
    throw new UsageError(
      'MISSING_OPTION',
      '--loki-label-from needs --parse json, regex or logfmt: labels come from parsed fields',
      'parse',
    );
  }
  const taken = new Set(['filename', ...Object.keys(parseLabels(config.label, true))]);
  const fields: LabelField[] = [];
  for (const field of config.lokiLabelFrom) {
    const label = lokiLabelName(field.trim());
    if (field.trim() === '' || taken.has(label)) {
      throw badOption(
        'lokiLabelFrom',
        `${JSON.stringify(field)} ${field.trim() === '' ? 'is empty' : `gives the label ${JSON.stringify(label)}, which is already set (--label, filename or another field)`}`,
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
      'httpUrl',
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
      target: targetFrom('lokiUrl', config.lokiUrl, headers, config.lokiAuthorization),
      labelFrom: labelFieldsFrom(config),
      structuredMetadata: config.lokiStructuredMetadata,
      maxLabelValues: config.lokiLabelMaxValues,
    });
  }
  if (config.elasticsearchUrl) {
    const target = targetFrom(
      'elasticsearchUrl',
      config.elasticsearchUrl,
      {},
      config.elasticsearchAuthorization,
    );
    const action = config.elasticsearchAction as 'create' | 'index';
    sinks.push({ kind: 'elasticsearch', target, index: config.elasticsearchIndex, action });
  }
  if (config.otlpUrl) {
    const target = targetFrom(
      'otlpUrl',
      config.otlpUrl,
      headersFrom(config.otlpHeader, 'otlpHeader'),
      config.otlpAuthorization,
    );
    sinks.push({ kind: 'otlp', target, encoding: config.otlpEncoding as 'protobuf' | 'json' });
  }
  if (sinks.length === 0) {
    throw new UsageError(
      'MISSING_OPTION',
      'no sink: set --stdout, --http-url, --loki-url, --elasticsearch-url or --otlp-url (or their env vars)',
    );
  }
  return sinks;
}

/** A relative glob is taken from the working directory, as a shell would. */
function absoluteGlob(glob: string): string {
  return isAbsolute(glob) ? glob : resolve(glob);
}

/** --multiline-start or --multiline-preset (not both) as the test of a line that starts a record. */
function recordStartFrom(config: Config<typeof options>): RecordStart | undefined {
  if (config.multilineStart && config.multilinePreset)
    throw badOption('multilinePreset', 'cannot be used with --multiline-start; choose one');
  if (config.multilineStart) {
    const start = compileRegex('multilineStart', config.multilineStart);
    return (line) => start.test(line);
  }
  if (config.multilinePreset) {
    const goesOn = multilinePresets[config.multilinePreset as MultilinePreset];
    return (line) => !goesOn.test(line);
  }
  return undefined;
}

function redactionsFrom(config: Config<typeof options>): Redaction[] {
  const redactions: Redaction[] = [];
  for (const name of config.redactPreset) {
    const preset = (redactionPresets as Record<string, Redaction>)[name];
    if (!preset) {
      throw badOption(
        'redactPreset',
        `unknown preset ${JSON.stringify(name)}: expected one of ${Object.keys(redactionPresets).join(', ')}`,
      );
    }
    redactions.push(preset);
  }
  for (const value of config.redact) {
    try {
      redactions.push(parseRedaction(value));
    } catch (error) {
      throw badOption('redact', `invalid value ${JSON.stringify(value)}: ${(error as Error).message}`);
    }
  }
  return redactions;
}

function timeRuleFrom(config: Config<typeof options>): RecordRules['time'] {
  if (!config.timeKey) {
    if (config.timeFormat)
      throw new UsageError('MISSING_OPTION', '--time-format needs --time-key', 'timeKey');
    return undefined;
  }
  if (config.parse === 'none') {
    throw new UsageError(
      'MISSING_OPTION',
      '--time-key needs --parse json, regex or logfmt: the time is read from a parsed field',
      'parse',
    );
  }
  const format = config.timeFormat ?? 'rfc3339';
  try {
    return { key: config.timeKey, read: createTimeReader(format) };
  } catch (error) {
    throw badOption('timeFormat', `invalid value ${JSON.stringify(format)}: ${(error as Error).message}`);
  }
}

function recordRulesFrom(config: Config<typeof options>): RecordRules | undefined {
  const rules: RecordRules = {
    include: config.includeLines.map((source) => compileRegex('includeLines', source)),
    exclude: config.excludeLines.map((source) => compileRegex('excludeLines', source)),
    redactions: redactionsFrom(config),
    parser: createLineParser(
      config.parse as ParseMode,
      config.parseRegex ? compileRegex('parseRegex', config.parseRegex) : undefined,
    ),
    time: timeRuleFrom(config),
  };
  return hasRules(rules) ? rules : undefined;
}

export function deriveSettings(config: Config<typeof options>): Settings {
  // The option is required, but an empty list (`--path ''`) still gets past the parser.
  if (config.path.length === 0)
    throw new UsageError('MISSING_OPTION', 'missing required option --path (or LOG_FORWARDER_PATH)', 'path');
  if (config.parse === 'regex' && !config.parseRegex)
    throw new UsageError('MISSING_OPTION', '--parse regex needs --parse-regex', 'parseRegex');
  checkBufferFitsHeap(config.bufferMaxBytes, getHeapStatistics().heap_size_limit);
  const sinks = deriveSinks(config);
  const labels = parseLabels(
    config.label,
    sinks.some((sink) => sink.kind === 'loki'),
  );
  checkLabelNames(labels, sinks);
  return {
    include: config.path.map(absoluteGlob),
    exclude: config.exclude.map((glob) => (glob.includes('/') ? absoluteGlob(glob) : glob)),
    labels,
    multilineStart: recordStartFrom(config),
    format: config.format === 'plain' ? undefined : (config.format as ContainerFormat),
    recordRules: recordRulesFrom(config),
    ignoreOlderMs: config.ignoreOlder,
    sinks,
  };
}
