export const templateModes = ['off', 'strict', 'tolerant'] as const;
export type TemplateMode = (typeof templateModes)[number];

export interface RenderResult {
  text: string;
  /** Variables referenced but unset (with no default): an error in strict mode, left as written in tolerant. */
  missing: string[];
}

// `$${NAME}` is an escape for a literal `${NAME}`; `${NAME:-default}` uses default when unset or empty,
// `${NAME-default}` only when unset (as in the shell). A bare `$NAME` is left alone: nginx and shell
// configs are full of those.
const reference = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g;

/** Substitutes `${NAME}` references from `env`. */
export function renderTemplate(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  mode: Exclude<TemplateMode, 'off'>,
): RenderResult {
  const missing: string[] = [];
  const rendered = text.replace(
    reference,
    (whole, escaped: string, name: string, operator?: string, fallback?: string) => {
      if (escaped) return whole.slice(1);
      const value = env[name];
      if (value !== undefined && (value !== '' || operator !== ':-')) return value;
      if (operator !== undefined) return fallback ?? '';
      missing.push(name);
      return mode === 'tolerant' ? whole : '';
    },
  );
  return { text: rendered, missing: [...new Set(missing)] };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes text files; undefined for binary content (a keystore, an image), which is never templated. */
export function decodeText(content: Buffer): string | undefined {
  try {
    return strictUtf8.decode(content);
  } catch {
    return undefined;
  }
}
