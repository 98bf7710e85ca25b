/** A severity as OTLP carries it: the level's text and its SeverityNumber (1 TRACE … 21 FATAL). */
export interface Severity {
  text: string;
  number: number;
}

/** Fields that hold a record's level, in the order looked at: what loggers most often name it. */
export const levelFields = ['level', 'severity', 'lvl', 'log.level', 'loglevel'];

/** Level names (lower case) to SeverityNumber, from the OpenTelemetry logs data model's mapping table. */
const numbersByName: Record<string, number> = {
  trace: 1,
  debug: 5,
  info: 9,
  information: 9,
  informational: 9,
  notice: 10,
  warn: 13,
  warning: 13,
  error: 17,
  err: 17,
  critical: 18,
  crit: 18,
  alert: 19,
  fatal: 21,
  emerg: 21,
  emergency: 21,
  panic: 21,
};

/** pino's and bunyan's numeric levels (10 trace … 60 fatal). */
const namesByPinoLevel: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/**
 * The severity of a record from its parsed fields: the first level field present, by name (any case)
 * or as pino's numbers. A level of another name keeps its text with SeverityNumber 0 (unspecified).
 */
export function severityOf(fields: Record<string, unknown>): Severity | undefined {
  for (const key of levelFields) {
    const value = fields[key];
    if (typeof value === 'string' && value !== '') {
      return { text: value, number: numbersByName[value.toLowerCase()] ?? 0 };
    }
    if (typeof value === 'number') {
      const name = namesByPinoLevel[value];
      return name ? { text: name, number: numbersByName[name]! } : { text: String(value), number: 0 };
    }
  }
  return undefined;
}
