/** A time taken from a line: Unix milliseconds, and the nanoseconds within that millisecond. */
export interface EventTime {
  ms: number;
  ns: number;
}

/** Reads a time value (a parsed field: a string or a number); undefined when it does not parse. */
export type TimeReader = (value: unknown) => EventTime | undefined;

/** Milliseconds and nanoseconds from the digits of a fraction of a second (`123456789`). */
function fraction(digits: string | undefined): { ms: number; ns: number } {
  if (!digits) return { ms: 0, ns: 0 };
  const nanos = Number(digits.padEnd(9, '0'));
  return { ms: Math.floor(nanos / 1e6), ns: nanos % 1e6 };
}

function checkedTime(ms: number, ns: number): EventTime | undefined {
  return Number.isFinite(ms) && ms >= 0 ? { ms, ns } : undefined;
}

/** The value of `text[at]` as a digit, or NaN. */
function digitAt(text: string, at: number): number {
  const code = text.charCodeAt(at) - 48;
  return code >= 0 && code <= 9 ? code : Number.NaN;
}

/** The two digits at `at` as a number, or NaN. */
function twoDigits(text: string, at: number): number {
  return digitAt(text, at) * 10 + digitAt(text, at + 1);
}

/** `YYYY-MM-DDTHH:MM:SS` (T, t or a space) at the start of `text` as Unix ms, or NaN. */
function parseDateTime(text: string): number {
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  const separator = text.charCodeAt(10);
  if (
    text.charCodeAt(4) !== 45 /* - */ ||
    text.charCodeAt(7) !== 45 ||
    (separator !== 84 /* T */ && separator !== 116 /* t */ && separator !== 32) ||
    text.charCodeAt(13) !== 58 /* : */ ||
    text.charCodeAt(16) !== 58 ||
    !(month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 60)
  ) {
    return Number.NaN;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/**
 * The date and time to the second last read, and its Unix ms: lines written together share it, so
 * most times cost a comparison and the fraction and offset after it.
 */
let lastDateTime = '';
let lastDateTimeMs = 0;

/** RFC 3339 (`2024-01-01T10:00:00.123456789Z`, `+02:00`), nanoseconds kept; no offset is read as UTC. */
export function parseRfc3339(text: string): EventTime | undefined {
  const length = text.length;
  if (length < 19) return undefined;
  let ms: number;
  if (lastDateTime !== '' && text.startsWith(lastDateTime)) ms = lastDateTimeMs;
  else {
    ms = parseDateTime(text);
    if (Number.isNaN(ms)) return undefined;
    // A copy: a slice would keep the whole line alive.
    lastDateTime = Buffer.from(text.slice(0, 19), 'latin1').toString('latin1');
    lastDateTimeMs = ms;
  }
  let at = 19;
  let nanos = 0;
  const separator = text.charCodeAt(at);
  if (separator === 46 /* . */ || separator === 44 /* , */) {
    const first = ++at;
    for (; at < length && at - first < 10; at++) {
      const digit = digitAt(text, at);
      if (Number.isNaN(digit)) break;
      nanos = nanos * 10 + digit;
    }
    const digits = at - first;
    if (digits === 0 || digits > 9) return undefined;
    nanos *= 10 ** (9 - digits);
  }
  if (at < length) {
    const zone = text.charCodeAt(at);
    if (zone === 90 /* Z */ || zone === 122 /* z */) at++;
    else if (zone === 43 /* + */ || zone === 45 /* - */) {
      const hours = twoDigits(text, at + 1);
      at += text.charCodeAt(at + 3) === 58 /* : */ ? 4 : 3;
      const minutes = twoDigits(text, at);
      at += 2;
      if (Number.isNaN(hours) || Number.isNaN(minutes) || at > length) return undefined;
      ms -= (zone === 45 ? -1 : 1) * (hours * 60 + minutes) * 60_000;
    } else return undefined;
    if (at !== length) return undefined;
  }
  return checkedTime(ms + Math.floor(nanos / 1e6), nanos % 1e6);
}

/** Epoch numbers in `unit`: a JSON number or a string of digits (with a fraction for seconds and ms). */
function epochReader(unit: 'seconds' | 'ms' | 'ns'): TimeReader {
  return (value) => {
    if (typeof value === 'number') {
      if (!Number.isFinite(value) || value < 0) return undefined;
      if (unit === 'ns') return checkedTime(Math.floor(value / 1e6), Math.round(value % 1e6));
      const ms = unit === 'seconds' ? value * 1000 : value;
      return checkedTime(Math.floor(ms), Math.round((ms - Math.floor(ms)) * 1e6));
    }
    if (typeof value !== 'string') return undefined;
    const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(value.trim());
    if (!m) return undefined;
    const [, whole, digits] = m;
    if (unit === 'ns') {
      if (digits !== undefined) return undefined;
      // Nanoseconds pass 2^53: split the digits rather than reading one number.
      const cut = Math.max(0, whole!.length - 6);
      return checkedTime(Number(whole!.slice(0, cut) || '0'), Number(whole!.slice(cut)));
    }
    if (unit === 'ms') {
      const part = fraction(digits);
      // A fraction of a millisecond: its first six digits are the nanoseconds.
      return checkedTime(Number(whole), part.ms * 1e3 + Math.floor(part.ns / 1e3));
    }
    const part = fraction(digits);
    return checkedTime(Number(whole) * 1000 + part.ms, part.ns);
  };
}

const monthNames = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** What each directive of a layout matches, as a regular expression with one group. */
const directives: Record<string, string> = {
  Y: '(\\d{4})',
  y: '(\\d{2})',
  m: '(\\d{1,2})',
  d: '(\\d{1,2})',
  e: ' ?(\\d{1,2})',
  H: '(\\d{1,2})',
  I: '(\\d{1,2})',
  M: '(\\d{2})',
  S: '(\\d{2})',
  f: '(\\d{1,9})',
  L: '(\\d{1,9})',
  b: '([A-Za-z]{3})',
  h: '([A-Za-z]{3})',
  B: '([A-Za-z]{3,9})',
  a: '(?:[A-Za-z]{3})',
  A: '(?:[A-Za-z]{6,9})',
  p: '([AaPp][Mm])',
  z: '(Z|[+-]\\d{2}:?\\d{2})',
  Z: '(?:[A-Za-z]{1,5}|[+-]\\d{2}:?\\d{2})',
  s: '(\\d+)',
};

/**
 * A strftime-like layout (`%d/%b/%Y:%H:%M:%S %z`, `%Y-%m-%d %H:%M:%S,%f`, `%b %e %H:%M:%S`) made into
 * a reader. Without `%z` the time is read as UTC; without a year, the current one (or the last, for a
 * date more than a day ahead: December's lines read in January). Throws on an unknown directive.
 */
export function layoutReader(layout: string): TimeReader {
  const fields: string[] = [];
  let pattern = '^';
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i]!;
    if (c !== '%') {
      pattern += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      continue;
    }
    const d = layout[++i];
    if (d === '%') pattern += '%';
    else if (d === 'T') {
      pattern += `${directives.H}:${directives.M}:${directives.S}`;
      fields.push('H', 'M', 'S');
    } else if (d !== undefined && directives[d]) {
      pattern += directives[d];
      if (!directives[d]!.startsWith('(?:')) fields.push(d);
    } else throw new Error(`unknown directive %${d ?? ''} in ${JSON.stringify(layout)}`);
  }
  if (fields.length === 0) throw new Error(`no directive in ${JSON.stringify(layout)}`);
  const regex = new RegExp(`${pattern}$`);
  return (value) => {
    if (typeof value !== 'string') return undefined;
    const m = regex.exec(value);
    if (!m) return undefined;
    const now = new Date();
    let year = now.getUTCFullYear();
    let month = 0;
    let day = 1;
    let hour = 0;
    let pm: boolean | undefined;
    let minute = 0;
    let second = 0;
    let offsetMinutes = 0;
    let digits: string | undefined;
    let epoch: number | undefined;
    let hasYear = false;
    for (let g = 0; g < fields.length; g++) {
      const text = m[g + 1]!;
      switch (fields[g]) {
        case 'Y':
          year = Number(text);
          hasYear = true;
          break;
        case 'y':
          year = 2000 + Number(text);
          hasYear = true;
          break;
        case 'm':
          month = Number(text) - 1;
          break;
        case 'd':
        case 'e':
          day = Number(text);
          break;
        case 'H':
        case 'I':
          hour = Number(text);
          break;
        case 'M':
          minute = Number(text);
          break;
        case 'S':
          second = Number(text);
          break;
        case 'f':
        case 'L':
          digits = text;
          break;
        case 'b':
        case 'h':
        case 'B':
          month = monthNames.indexOf(text.slice(0, 3).toLowerCase());
          if (month < 0) return undefined;
          break;
        case 'p':
          pm = text.toLowerCase() === 'pm';
          break;
        case 'z':
          if (text !== 'Z') {
            const sign = text[0] === '-' ? -1 : 1;
            const n = text.slice(1).replace(':', '');
            offsetMinutes = sign * (Number(n.slice(0, 2)) * 60 + Number(n.slice(2)));
          }
          break;
        case 's':
          epoch = Number(text);
          break;
      }
    }
    const part = fraction(digits);
    if (epoch !== undefined) return checkedTime(epoch * 1000 + part.ms, part.ns);
    if (pm !== undefined) hour = (hour % 12) + (pm ? 12 : 0);
    if (month > 11 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
    let ms = Date.UTC(year, month, day, hour, minute, second) - offsetMinutes * 60_000;
    if (!hasYear && ms > now.getTime() + 86_400_000) {
      ms = Date.UTC(year - 1, month, day, hour, minute, second) - offsetMinutes * 60_000;
    }
    return checkedTime(ms + part.ms, part.ns);
  };
}

/** The formats of --time-format: the named ones, or a layout with `%` directives. */
export const namedTimeFormats = ['rfc3339', 'epoch', 'epoch-ms', 'epoch-ns'] as const;

/** The reader for a --time-format value; throws with a message on a bad one. */
export function createTimeReader(format: string): TimeReader {
  switch (format) {
    case 'rfc3339':
      return (value) => (typeof value === 'string' ? parseRfc3339(value) : undefined);
    case 'epoch':
      return epochReader('seconds');
    case 'epoch-ms':
      return epochReader('ms');
    case 'epoch-ns':
      return epochReader('ns');
    default:
      if (!format.includes('%'))
        throw new Error(`expected ${namedTimeFormats.join(', ')} or a layout with % directives`);
      return layoutReader(format);
  }
}
