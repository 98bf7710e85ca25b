/**
 * Removes secrets from anything that leaves the process as text: log lines, error messages, metric
 * labels. Credentials can hide in a URL's user-info (`https://user:token@host`) or be a secret value
 * the program knows (the webhook token, the current password file's content).
 */
export class Redactor {
  readonly #secrets: () => readonly string[];

  /** `secrets` is called at each use, so a rotated password file is redacted too. */
  constructor(secrets: () => readonly string[] = () => []) {
    this.#secrets = secrets;
  }

  redact(text: string): string {
    let result = redactUrlCredentials(text);
    for (const secret of this.#secrets()) {
      // Short values would redact ordinary words and reveal nothing worth hiding.
      if (secret.length >= 4) result = result.split(secret).join('***');
    }
    return result;
  }

  redactAll(texts: readonly string[]): string[] {
    return texts.map((text) => this.redact(text));
  }
}

/** `https://user:secret@host/x` → `https://***@host/x`; scp-like `git@host:path` has no secret and stays. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1***@');
}
