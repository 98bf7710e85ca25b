import { describe, expect, it } from 'vitest';
import { isSecretName, redactCommandLine } from '../src/index.ts';

// What topz hides in command lines by default (issue 12 §4), and what it must leave alone: a false
// positive hides what an operator needs to see.
const R = '<redacted>';
const cases: [what: string, argv: string[], shown: string][] = [
  // Flags named like a secret, each form.
  ['--flag=value', ['app', '--password=hunter2'], `app --password=${R}`],
  ['--flag value', ['app', '--password', 'hunter2', '-v'], `app --password ${R} -v`],
  ['Go-style -flag=value', ['app', '-token=abc'], `app -token=${R}`],
  ['Go-style -flag value', ['app', '-client-secret', 'abc'], `app -client-secret ${R}`],
  [
    'compound names',
    ['app', '--db-password', 'x', '--apiKey=y', '--auth-token', 'z'],
    `app --db-password ${R} --apiKey=${R} --auth-token ${R}`,
  ],
  [
    'snake and one word',
    ['app', '--aws_secret_access_key=s', '--authtoken=t', '--passwd=p'],
    `app --aws_secret_access_key=${R} --authtoken=${R} --passwd=${R}`,
  ],
  [
    'credential and auth',
    ['app', '--credentials', 'c', '--auth', 'user:pw', '--basic-auth=u:p'],
    `app --credentials ${R} --auth ${R} --basic-auth=${R}`,
  ],
  [
    'key',
    ['app', '--key', 'k', '--ssh-key=/k', '--api-key', 'a'],
    `app --key ${R} --ssh-key=${R} --api-key ${R}`,
  ],
  ['an Authorization header value', ['app', '--auth-header', 'Bearer x'], `app --auth-header ${R}`],
  // Environment-style and header-style arguments.
  [
    'NAME=value',
    ['env', 'PGPASSWORD=pw', 'MYSQL_PWD=pw', 'GITHUB_TOKEN=t', 'psql'],
    `env PGPASSWORD=${R} MYSQL_PWD=${R} GITHUB_TOKEN=${R} psql`,
  ],
  ['docker -e NAME=value', ['docker', 'run', '-e', 'API_KEY=k', 'img'], `docker run -e API_KEY=${R} img`],
  ['a flag carrying NAME=value', ['app', '--env=DB_PASSWORD=pw'], `app --env=DB_PASSWORD=${R}`],
  [
    'curl -H',
    ['curl', '-H', 'Authorization: Bearer abc', 'https://h/'],
    `curl -H Authorization: ${R} https://h/`,
  ],
  ['X-Api-Key header', ['curl', '-H', 'X-Api-Key: abc'], `curl -H X-Api-Key: ${R}`],
  // URLs.
  [
    'user:password in a URL',
    ['git', 'clone', 'https://bob:s3cret@example.com/r.git'],
    `git clone https://bob:${R}@example.com/r.git`,
  ],
  [
    'a URL inside a flag',
    ['app', '--db=postgres://app:pw@db:5432/x'],
    `app --db=postgres://app:${R}@db:5432/x`,
  ],
  [
    'a token as the password',
    ['app', 'https://x-access-token:ghs_abc@github.com/o/r'],
    `app https://x-access-token:${R}@github.com/o/r`,
  ],
  [
    'secret query parameters',
    ['app', 'https://h/p?access_token=t&page=2&apikey=k'],
    `app https://h/p?access_token=${R}&page=2&apikey=${R}`,
  ],
  // Short flags, only for the commands that take a password there.
  ['mysql -pSECRET', ['mysql', '-u', 'root', '-psecret', 'db'], `mysql -u root -p${R} db`],
  ['mysql -p alone prompts: db is not a secret', ['mysql', '-p', 'db'], 'mysql -p db'],
  ['sshpass -p', ['/usr/bin/sshpass', '-p', 'pw', 'ssh', 'h'], `/usr/bin/sshpass -p ${R} ssh h`],
  ['redis-cli -a', ['redis-cli', '-a', 'pw', 'ping'], `redis-cli -a ${R} ping`],
  [
    'curl -u keeps the user',
    ['curl', '-u', 'bob:pw', '--user=al:pw2', 'https://h/'],
    `curl -u bob:${R} --user=al:${R} https://h/`,
  ],
  // Not secrets: left alone.
  ['-p is a port elsewhere', ['ssh', '-p', '2222', 'host'], 'ssh -p 2222 host'],
  ['docker -p', ['docker', 'run', '-p', '8080:80', 'img'], 'docker run -p 8080:80 img'],
  ['curl --user-agent', ['curl', '--user-agent', 'me', 'https://h/'], 'curl --user-agent me https://h/'],
  ['--keyboard-layout', ['app', '--keyboard-layout', 'us'], 'app --keyboard-layout us'],
  [
    '--token-count=3: about the token, not the token',
    ['app', '--token-count=3', '--max-tokens', '9'],
    'app --token-count=3 --max-tokens 9',
  ],
  [
    'a path to the secret stays visible',
    ['app', '--password-file', '/run/s/pw', '--signal-token-file=/t'],
    'app --password-file /run/s/pw --signal-token-file=/t',
  ],
  [
    'key id and names',
    ['app', '--key-id', 'AKIA', '--secret-name=db', '--auth-url', 'https://h/'],
    'app --key-id AKIA --secret-name=db --auth-url https://h/',
  ],
  [
    'public and sort keys',
    ['app', '--public-key', 'k.pub', '--sort-key=name'],
    'app --public-key k.pub --sort-key=name',
  ],
  [
    'words that merely contain one',
    ['app', '--author', 'me', '--bypass', 'x', '--monkey', 'y', '--tokenizer', 'z'],
    'app --author me --bypass x --monkey y --tokenizer z',
  ],
  ['a boolean flag before another flag', ['app', '--auth', '--verbose'], 'app --auth --verbose'],
  ['--no-auth is a switch', ['app', '--no-auth', 'file.txt'], 'app --no-auth file.txt'],
  ['an empty value', ['app', '--password='], 'app --password='],
  [
    'a URL without a password',
    ['git', 'clone', 'ssh://git@github.com/o/r', 'https://h/?page=2'],
    'git clone ssh://git@github.com/o/r https://h/?page=2',
  ],
  [
    'ordinary NAME=value and host:port',
    ['env', 'PATH=/bin', 'LANG=C', 'app', 'localhost:8080'],
    'env PATH=/bin LANG=C app localhost:8080',
  ],
  ['the program itself', ['/opt/token/bin/app', '--interval=1s'], '/opt/token/bin/app --interval=1s'],
];

describe('redactCommandLine', () => {
  it.each(cases)('%s', (_, argv, shown) => {
    expect(redactCommandLine(argv)).toBe(shown);
  });

  it('never shows the secret of a redacted case', () => {
    for (const [, argv, shown] of cases) {
      if (!shown.includes(R)) continue;
      for (const secret of ['hunter2', 's3cret', 'ghs_abc', 'Bearer']) {
        if (argv.join(' ').includes(secret)) expect(shown).not.toContain(secret);
      }
    }
  });
});

describe('isSecretName', () => {
  it.each([
    ['password', true],
    ['PGPASSWORD', true],
    ['dbPassword', true],
    ['client_secret', true],
    ['x-api-key', true],
    ['cookie', true],
    ['keyboard-layout', false],
    ['token-count', false],
    ['password-file', false],
    ['passthrough', false],
    ['PATH', false],
  ] as const)('%s → %s', (name, secret) => {
    expect(isSecretName(name)).toBe(secret);
  });
});
