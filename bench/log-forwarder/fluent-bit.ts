/**
 * The fluent-bit configuration the bench compares with: its tail input from the head of the file,
 * offsets in a SQLite db (its checkpoints), and the http output with the same NDJSON sink.
 */
export function fluentBitConfig(file: string, db: string, port: number): string {
  return `[SERVICE]
    Flush        1
    Log_Level    warn

[INPUT]
    Name              tail
    Path              ${file}
    Read_from_Head    true
    DB                ${db}
    Buffer_Chunk_Size 256k
    Buffer_Max_Size   1m
    Mem_Buf_Limit     64m

[OUTPUT]
    Name    http
    Match   *
    Host    127.0.0.1
    Port    ${port}
    URI     /ingest
    Format  json_lines
`;
}
