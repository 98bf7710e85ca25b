/** A parsed field's value as text, for a Loki label or structured metadata: objects and arrays as JSON. */
export function fieldText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return String(value);
  return JSON.stringify(value);
}
