/**
 * Whether a flag, environment variable, header or query parameter is named like a secret. The name is
 * cut into words (`--db-password`, `DB_PASSWORD`, `dbPassword` → db, password); it is a secret when a
 * word is one of `secretWords` or ends in one of `secretEndings` (`PGPASSWORD`, `authtoken`), unless
 * the last word says the value is about the secret rather than the secret itself (`--token-count`,
 * `--password-file`, `--key-id`) or the key is not a credential (`--public-key`, `--sort-key`).
 * Words are whole: `--keyboard-layout`, `--author`, `--bypass` and `--monkey` are not secrets.
 */
export function isSecretName(name: string): boolean {
  const words = splitWords(name);
  const last = words.at(-1);
  if (last === undefined || harmlessLastWords.has(last)) return false;
  return words.some(
    (word, index) =>
      (secretWords.has(word) && !(word === 'key' && index > 0 && notCredentialKeys.has(words[index - 1]!))) ||
      secretEndings.some((ending) => word.length > ending.length && word.endsWith(ending)),
  );
}

const secretWords = new Set([
  'password',
  'passwd',
  'pass',
  'pwd',
  'passphrase',
  'token',
  'secret',
  'key',
  'apikey',
  'credential',
  'credentials',
  'creds',
  'auth',
  'authorization',
  'cookie',
]);

const secretEndings = ['password', 'passwd', 'passphrase', 'token', 'secret', 'apikey', 'credentials'];

/** A last word that makes the value a path, a number or a name about the secret, not the secret. */
const harmlessLastWords = new Set([
  'file',
  'path',
  'dir',
  'count',
  'length',
  'len',
  'size',
  'bits',
  'min',
  'max',
  'ttl',
  'timeout',
  'interval',
  'expiry',
  'type',
  'name',
  'id',
  'layout',
  'url',
  'endpoint',
  'env',
  'algorithm',
  'format',
]);

/** Words before `key` that name a key that is not a credential. */
const notCredentialKeys = new Set([
  'public',
  'sort',
  'primary',
  'partition',
  'foreign',
  'routing',
  'shard',
  'cache',
]);

function splitWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}
