import type { LogShape } from './log-file.ts';

/**
 * fluent-bit's settings in the bench, chosen for its best throughput and printed with the results:
 * Flush 0.2 s (its default 1 s holds records back), no Mem_Buf_Limit (it pauses the input), 256 KiB
 * read chunks like ours, and its SQLite offsets db (its checkpoints, as ours are on) with DB.locking
 * (the db is its alone: fewer syscalls). Its buffer stays in memory (storage.type memory, the
 * default): our positions file holds offsets only, as its db does; its filesystem storage keeps the
 * records themselves, which we do not.
 */
export const fluentBitSettings =
  'Flush 0.2, no Mem_Buf_Limit, Buffer_Chunk_Size 256k, Buffer_Max_Size 1m, DB on with DB.locking true, storage.type memory, http output json_lines';

/** What fluent-bit is given for each shape of file, printed beside ours. */
export const fluentBitModeSettings: Record<LogShape, string> = {
  plain: 'no parser',
  json: 'Parser json (Time_Key time, Time_Format %Y-%m-%dT%H:%M:%S.%L%z, Time_Keep On)',
  cri: 'multiline.parser cri',
};

/** Its parsers file: the json parser with the event time from `time`, as --parse json --time-key time. */
export const fluentBitParsers = `[PARSER]
    Name        json_time
    Format      json
    Time_Key    time
    Time_Format %Y-%m-%dT%H:%M:%S.%L%z
    Time_Keep   On
`;

/**
 * The configuration the bench compares with: its tail input from the head of the file (with its json
 * parser, or its built-in cri multiline parser, for those shapes) and the http output to the same
 * NDJSON sink.
 */
export function fluentBitConfig(
  file: string,
  db: string,
  port: number,
  shape: LogShape = 'plain',
  parsersFile = '',
): string {
  const parsing =
    shape === 'json'
      ? '    Parser            json_time\n'
      : shape === 'cri'
        ? '    multiline.parser  cri\n'
        : '';
  return `[SERVICE]
    Flush        0.2
    Log_Level    warn
${shape === 'json' ? `    Parsers_File ${parsersFile}\n` : ''}
[INPUT]
    Name              tail
    Path              ${file}
    Read_from_Head    true
    DB                ${db}
    DB.locking        true
    Buffer_Chunk_Size 256k
    Buffer_Max_Size   1m
${parsing}
[OUTPUT]
    Name    http
    Match   *
    Host    127.0.0.1
    Port    ${port}
    URI     /ingest
    Format  json_lines
`;
}
