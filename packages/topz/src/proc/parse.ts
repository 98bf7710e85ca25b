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

/** The fields of /proc/<pid>/status that /proc/<pid>/stat lacks; readable for every process. */
export interface StatusFields {
  voluntaryContextSwitches: number;
  involuntaryContextSwitches: number;
  /** VmSwap: the process's memory swapped out; null for a kernel thread or zombie (no line). */
  swapBytes: number | null;
}

/** Parses /proc/<pid>/status; undefined when the context-switch lines are missing (cut short). */
export function parseStatus(text: string): StatusFields | undefined {
  const voluntary = numberAfter(text, '\nvoluntary_ctxt_switches:');
  const involuntary = numberAfter(text, '\nnonvoluntary_ctxt_switches:');
  if (voluntary === null || involuntary === null) return undefined;
  const swapKib = numberAfter(text, '\nVmSwap:');
  return {
    voluntaryContextSwitches: voluntary,
    involuntaryContextSwitches: involuntary,
    swapBytes: swapKib === null ? null : swapKib * 1024,
  };
}

/** /proc/<pid>/smaps_rollup: the proportional set size (each shared page divided by its sharers). */
export function parseSmapsRollup(text: string): number | null {
  const kib = numberAfter(text, '\nPss:');
  return kib === null ? null : kib * 1024;
}

/** The soft "Max open files" of /proc/<pid>/limits (RLIMIT_NOFILE); null when absent or unlimited. */
export function parseOpenFilesLimit(text: string): number | null {
  const soft = /^Max open files\s+(\d+)/m.exec(text)?.[1];
  return soft === undefined ? null : Number(soft);
}

/** The integer after `label` (a `\nName:` line start) and any blanks; null when absent. */
function numberAfter(text: string, label: string): number | null {
  const at = text.indexOf(label);
  if (at < 0) return null;
  let index = at + label.length;
  while (text.charCodeAt(index) === 32 || text.charCodeAt(index) === 9) index++;
  let value = 0;
  const first = index;
  for (let code = text.charCodeAt(index); code >= 48 && code <= 57; code = text.charCodeAt(++index))
    value = value * 10 + (code - 48);
  return index === first ? null : value;
}
