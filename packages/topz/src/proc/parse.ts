/** Parsers of the /proc/<pid> files topz reads: pure functions over the bytes read. */

/** The fields of /proc/<pid>/stat that topz uses (see proc(5)); times are in clock ticks. */
export interface StatFields {
  comm: string;
  state: string;
  ppid: number;
  /** Page faults that needed no read from disk, and those that did. */
  minorFaults: number;
  majorFaults: number;
  utime: number;
  stime: number;
  nice: number;
  threads: number;
  startTicks: number;
  vszBytes: number;
  rssPages: number;
}

const closeParen = 0x29;

/**
 * Parses /proc/<pid>/stat. The command name sits in parentheses and may itself hold spaces and
 * parentheses, so the fields are counted from the last `)`. Undefined when the text is cut short.
 */
export function parseStat(bytes: Buffer, length: number): StatFields | undefined {
  const open = bytes.indexOf(0x28);
  const close = bytes.lastIndexOf(closeParen, length - 1);
  if (open < 0 || close < open) return undefined;
  // Fields 3… of proc(5): index 0 is field 3 (state), so field n is index n - 3.
  const fields = bytes.toString('latin1', close + 2, length).split(' ', 22);
  if (fields.length < 22) return undefined;
  return {
    comm: bytes.toString('utf8', open + 1, close),
    state: fields[0]!,
    ppid: Number(fields[1]),
    minorFaults: Number(fields[7]),
    majorFaults: Number(fields[9]),
    utime: Number(fields[11]),
    stime: Number(fields[12]),
    nice: Number(fields[16]),
    threads: Number(fields[17]),
    startTicks: Number(fields[19]),
    vszBytes: Number(fields[20]),
    rssPages: Number(fields[21]),
  };
}

/** /proc/<pid>/cmdline: NUL-separated arguments, joined by spaces as ps does. */
export function decodeCmdline(bytes: Buffer, length: number): string {
  return decodeArgv(bytes, length).replaceAll('\0', ' ');
}

/** /proc/<pid>/cmdline as text, arguments still NUL-separated, without the trailing NULs. */
export function decodeArgv(bytes: Buffer, length: number): string {
  let end = length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return bytes.toString('utf8', 0, end);
}

export interface IoBytes {
  readBytes: number;
  writeBytes: number;
}

/** /proc/<pid>/io: the storage-layer counters. `^` keeps `cancelled_write_bytes` out of the match. */
export function parseIo(text: string): IoBytes | undefined {
  const read = /^read_bytes: (\d+)$/m.exec(text);
  const write = /^write_bytes: (\d+)$/m.exec(text);
  if (!read || !write) return undefined;
  return { readBytes: Number(read[1]), writeBytes: Number(write[1]) };
}

/** `name:x:uid:…` lines of /etc/passwd → uid → name. */
export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid && /^\d+$/.test(uid) && !users.has(Number(uid))) users.set(Number(uid), name);
  }
  return users;
}
