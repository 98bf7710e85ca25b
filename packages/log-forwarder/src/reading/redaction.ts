/** A pattern replaced in every line before any sink sees it. */
export interface Redaction {
  pattern: RegExp;
  replacement: string | ((match: string, ...rest: unknown[]) => string);
}

export const redactedText = '[REDACTED]';

/** Whether a run of digits passes the Luhn check every payment card number passes. */
function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** What leaks most into logs, as --redact-preset names. */
export const redactionPresets = {
  // `Authorization: Bearer eyJ...`, `bearer=...`: the token (8 characters or more, so "a bearer of
  // news" stays) goes, the word stays.
  'bearer-tokens': {
    pattern: /\b(Bearer)([\s=:]+)[A-Za-z0-9\-._~+/]{8,}=*/gi,
    replacement: `$1$2${redactedText}`,
  },
  // `https://user:secret@host/`: the credentials go, the scheme and host stay.
  'basic-auth-urls': {
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/)[^\s:@/]+:[^\s@/]*@/gi,
    replacement: `$1${redactedText}@`,
  },
  email: {
    pattern: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g,
    replacement: redactedText,
  },
  // 13 to 19 digits, in groups separated by spaces or dashes, that pass the Luhn check (so an order
  // number or a timestamp of as many digits is mostly left alone).
  'credit-card': {
    pattern: /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g,
    replacement: (match: string) => (passesLuhn(match.replace(/[ -]/g, '')) ? redactedText : match),
  },
} as const satisfies Record<string, Redaction>;

export type RedactionPreset = keyof typeof redactionPresets;

/**
 * `REGEX` or `REGEX=REPLACEMENT` (`$1` names a group) into a redaction; a `=` that belongs to the
 * expression is written `\=`. Throws with a message when the expression does not compile.
 */
export function parseRedaction(value: string): Redaction {
  let at = -1;
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === '=') {
      at = i;
      break;
    }
  }
  const source = at < 0 ? value : value.slice(0, at);
  if (source === '') throw new Error('empty regular expression');
  return {
    pattern: new RegExp(source, 'g'),
    replacement: at < 0 ? redactedText : value.slice(at + 1),
  };
}

/** The line with every redaction applied, in order. */
export function redact(line: string, redactions: readonly Redaction[]): string {
  let text = line;
  for (const { pattern, replacement } of redactions) {
    text = text.replace(pattern, replacement as string);
  }
  return text;
}
