import { type OptionTable, outgoingTlsOptions } from '@toolkit/lifecycle';

/** Every option of the forwarder, declared once: the parser, `--help` and the docs read this table. */
export const options = {
  path: {
    type: 'list',
    required: true,
    placeholder: 'GLOB',
    help: 'Log files to follow, as globs (/logs/*.log, /logs/**/*.log); repeat the flag or separate with commas.',
  },
  exclude: {
    type: 'list',
    placeholder: 'GLOB',
    help: 'Globs of files to skip; a glob without a slash matches the file name (*.gz, *.1).',
  },
  followLinksOutside: {
    type: 'boolean',
    default: false,
    help: 'Follow a log file that is a symbolic link to a file outside the directories of --path; by default it is refused (logged), so a link put in the log volume cannot make the sidecar ship a secret.',
  },
  readFrom: {
    type: 'enum',
    choices: ['end', 'beginning'],
    default: 'end',
    help: 'Where to start in files found at the first start. Files that appear later, or since the last run, are read from the beginning.',
  },
  positionsFile: {
    type: 'string',
    default: '/var/lib/log-forwarder/positions.json',
    placeholder: 'PATH',
    help: 'File keeping the acknowledged offset of every file (written atomically); put it on a volume that outlives the container.',
  },
  checkpointInterval: {
    type: 'duration',
    default: '0s',
    help: 'Least time between two writes of the positions file; 0 writes after every acknowledged batch.',
  },
  pollInterval: {
    type: 'duration',
    default: '250ms',
    help: 'How often an idle file is checked for new data, rotation and truncation (file events wake it sooner).',
  },
  rotateWait: {
    type: 'duration',
    default: '5s',
    help: 'A renamed or deleted file is read to its end and closed once it has had no new data for this long.',
  },
  partialLineTimeout: {
    type: 'duration',
    default: '5s',
    help: 'A last line without a newline is held this long for the rest, then sent as it is.',
  },
  maxLineBytes: {
    type: 'integer',
    default: 262_144,
    min: 64,
    help: 'Longest line (or joined multiline record) in bytes; longer ones are cut or skipped.',
  },
  longLines: {
    type: 'enum',
    choices: ['truncate', 'skip'],
    default: 'truncate',
    help: 'What to do with a line longer than --max-line-bytes.',
  },
  multilineStart: {
    type: 'string',
    placeholder: 'REGEX',
    help: 'A line matching this regular expression starts a record; other lines are joined to the one before (stack traces).',
  },
  multilineTimeout: {
    type: 'duration',
    default: '1s',
    help: 'A multiline record with no new line for this long is sent.',
  },
  fingerprintBytes: {
    type: 'integer',
    default: 256,
    min: 16,
    max: 65_536,
    help: 'Bytes at the start of a file that identify it with its device and inode (a reused inode is a new file).',
  },
  parse: {
    type: 'enum',
    choices: ['none', 'json', 'regex', 'logfmt'],
    default: 'none',
    help: 'Parse each line into fields: as a JSON object, by the named groups of --parse-regex, or as logfmt key=value pairs.',
  },
  parseRegex: {
    type: 'string',
    placeholder: 'REGEX',
    help: 'Regular expression with named groups, for --parse regex.',
  },
  // Event time, container log formats, choosing and cleaning lines (issue 15, sections 1 to 3).
  timeKey: {
    type: 'string',
    placeholder: 'FIELD',
    help: 'Parsed field holding the time of the event (needs --parse): sinks get that time instead of the time the line was read. A record whose field is missing or does not parse keeps the read time (counted in log_forwarder_time_fallback_total).',
  },
  timeFormat: {
    type: 'string',
    placeholder: 'FORMAT',
    help: 'How --time-key is written: rfc3339 (the default; no offset means UTC), epoch (seconds), epoch-ms, epoch-ns, or a layout with strftime directives (%Y %y %m %d %e %H %I %p %M %S %f %b %B %a %z %Z %T %s), such as %d/%b/%Y:%H:%M:%S %z for access logs. A layout without %z is read as UTC.',
  },
  format: {
    type: 'enum',
    choices: ['plain', 'cri', 'docker'],
    default: 'plain',
    help: "How the files' lines are written: plain lines, the kubelet's CRI lines (/var/log/pods), or Docker's json-file lines (/var/lib/docker/containers). For cri and docker the message is sent, partial lines joined, with the field stream and the runtime's time as the record's time.",
  },
  multilinePreset: {
    type: 'enum',
    choices: ['java', 'python', 'go'],
    placeholder: 'LANGUAGE',
    help: 'Join the stack traces of java, python or go to the line logged before them (instead of --multiline-start): a line that is not a frame, a cause, a traceback or a goroutine dump starts a record.',
  },
  includeLines: {
    type: 'list',
    separator: '\n',
    placeholder: 'REGEX',
    help: 'Send only the records matching one of these regular expressions (repeat the flag; one per line in the env var); the others are counted in log_forwarder_lines_filtered_total.',
  },
  excludeLines: {
    type: 'list',
    separator: '\n',
    placeholder: 'REGEX',
    help: 'Drop the records matching one of these regular expressions (after --include-lines), counted in log_forwarder_lines_filtered_total.',
  },
  redact: {
    type: 'list',
    separator: '\n',
    placeholder: 'REGEX[=REPLACEMENT]',
    help: 'Replace what matches in every record before any sink sees it (and before --parse), by REPLACEMENT ($1 names a group) or [REDACTED]; write a = of the expression as \\=. Repeat the flag for several.',
  },
  redactPreset: {
    type: 'list',
    placeholder: 'NAME',
    help: 'Redactions for what leaks most: bearer-tokens, basic-auth-urls (user:password@ in URLs), email, credit-card (card numbers that pass the Luhn check); comma-separated or repeated.',
  },
  ignoreOlder: {
    type: 'duration',
    help: 'At the first start (and for files the positions file does not know), a file last written longer ago than this is not read: reading starts at its end.',
  },
  label: {
    type: 'list',
    placeholder: 'KEY=VALUE',
    help: 'Static label added to every record (app=web); repeat or separate with commas. A name the record already has in the document a sink writes is refused: timestamp, path, line (HTTP, stdout as JSON); @timestamp, message, log (Elasticsearch).',
  },
  stdout: {
    type: 'boolean',
    help: 'Write records to stdout, so `kubectl logs` shows the app log.',
  },
  stdoutFormat: {
    type: 'enum',
    choices: ['line', 'json'],
    default: 'line',
    help: 'stdout sink: the line as it is, or the record as one JSON object per line.',
  },
  httpUrl: {
    type: 'string',
    placeholder: 'URL',
    help: 'Generic HTTP sink: records POSTed in batches to this URL.',
  },
  httpFormat: {
    type: 'enum',
    choices: ['ndjson', 'json'],
    default: 'ndjson',
    help: 'HTTP sink body: one JSON record per line, or one JSON array.',
  },
  httpHeader: {
    type: 'list',
    placeholder: 'NAME:VALUE',
    help: 'Extra header of the HTTP sink requests; repeat for several.',
  },
  httpAuthorization: {
    type: 'secret',
    placeholder: 'VALUE',
    help: 'Authorization header of the HTTP sink (Bearer ..., Basic ...).',
  },
  lokiUrl: {
    type: 'string',
    placeholder: 'URL',
    help: 'Grafana Loki base URL (http://loki:3100); records go to /loki/api/v1/push.',
  },
  lokiTenant: {
    type: 'string',
    placeholder: 'TENANT',
    help: 'Loki tenant, sent as X-Scope-OrgID.',
  },
  lokiAuthorization: {
    type: 'secret',
    placeholder: 'VALUE',
    help: 'Authorization header of the Loki requests.',
  },
  elasticsearchUrl: {
    type: 'string',
    placeholder: 'URL',
    help: 'Elasticsearch or OpenSearch base URL; records go to /_bulk.',
  },
  elasticsearchIndex: {
    type: 'string',
    default: 'logs-generic-default',
    placeholder: 'INDEX',
    help: 'Index or data stream the records are written to.',
  },
  elasticsearchAction: {
    type: 'enum',
    choices: ['create', 'index'],
    default: 'create',
    help: 'Bulk action; data streams accept only create.',
  },
  elasticsearchAuthorization: {
    type: 'secret',
    placeholder: 'VALUE',
    help: 'Authorization header of the Elasticsearch requests (ApiKey ..., Basic ...).',
  },
  // Labels from parsed fields (Loki), and the OTLP/HTTP sink.
  lokiLabelFrom: {
    type: 'list',
    placeholder: 'FIELD',
    help: 'Parsed field (--parse) whose value becomes a Loki label, named after the field (characters Loki does not allow become _); for a few fields of few values, such as level. Repeat or separate with commas.',
  },
  lokiLabelMaxValues: {
    type: 'integer',
    default: 50,
    min: 1,
    help: 'Distinct values a label from --loki-label-from takes in a run (each a Loki stream); a record with a new value past it goes without that label, the field kept in structured metadata, and is counted in log_forwarder_loki_label_overflow_total.',
  },
  lokiStructuredMetadata: {
    type: 'boolean',
    default: true,
    help: 'Send the parsed fields that are not labels as structured metadata of each Loki entry (Loki 2.9 and later). A Loki that refuses it (a 400 naming structured metadata) gets that batch again without it, and every later one; --no-loki-structured-metadata never sends it.',
  },
  otlpUrl: {
    type: 'string',
    placeholder: 'URL',
    help: 'OpenTelemetry OTLP/HTTP sink (a Collector on http://collector:4318, or a backend): records go to /v1/logs under this URL, unless it already ends with /v1/logs.',
  },
  otlpEncoding: {
    type: 'enum',
    choices: ['protobuf', 'json'],
    default: 'protobuf',
    help: 'OTLP body: binary protobuf (application/x-protobuf), or OTLP JSON (application/json).',
  },
  otlpHeader: {
    type: 'list',
    placeholder: 'NAME:VALUE',
    help: 'Extra header of the OTLP requests (a backend API key); repeat for several.',
  },
  otlpAuthorization: {
    type: 'secret',
    placeholder: 'VALUE',
    help: 'Authorization header of the OTLP requests.',
  },
  gzip: {
    type: 'boolean',
    help: 'Compress the bodies of the HTTP, Loki, Elasticsearch and OTLP requests with gzip.',
  },
  batchMaxRecords: {
    type: 'integer',
    default: 5000,
    min: 1,
    help: 'Most records in one request.',
  },
  batchMaxBytes: {
    type: 'integer',
    default: 1_048_576,
    min: 1024,
    help: 'Most bytes of lines in one request (a sink answering 413 gets the batch again in halves).',
  },
  batchTimeout: {
    type: 'duration',
    default: '1s',
    help: 'A batch that is not full is sent after this long.',
  },
  batchesInFlight: {
    type: 'integer',
    default: 2,
    min: 1,
    max: 16,
    help: 'Batches sent to each HTTP, Loki, Elasticsearch or OTLP sink at a time (stdout: 1). They may arrive out of order; positions still move only over what every sink took, and a crash sends again at most this many batches.',
  },
  requestTimeout: {
    type: 'duration',
    default: '10s',
    help: 'A sink request without an answer for this long is retried.',
  },
  retryInitial: {
    type: 'duration',
    default: '250ms',
    help: 'First wait before retrying a failed batch; doubles each time, with jitter.',
  },
  retryMax: {
    type: 'duration',
    default: '30s',
    help: 'Longest wait between retries (a longer Retry-After from the sink is honoured, up to 5m).',
  },
  retryLimit: {
    type: 'integer',
    default: 0,
    min: 0,
    help: 'Retries of a batch before its records are dropped and counted; 0 retries until the sink takes them.',
  },
  bufferMaxBytes: {
    type: 'integer',
    default: 4_194_304,
    min: 65_536,
    help: "Bytes of lines held in memory until every sink has them; when full, reading pauses. At most an eighth of Node's heap limit (about 32 MiB in the image, whose NODE_OPTIONS sets --max-old-space-size=256).",
  },
  // --ca-file, --client-cert-file, --client-key-file, --insecure-skip-verify for outgoing HTTPS.
  ...outgoingTlsOptions,
} as const satisfies OptionTable;
