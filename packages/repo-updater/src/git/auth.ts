/** Credentials for the remote, all from files, so no secret is ever in a process argument. */
export interface GitAuth {
  username?: string | undefined;
  /** Re-read by git at every fetch through the credential helper: a rotated token just works. */
  passwordFile?: string | undefined;
  sshKeyFile?: string | undefined;
  sshKnownHostsFile?: string | undefined;
  sshSkipHostKeyCheck?: boolean;
}

/** What every git child process gets: the environment and the config entries passed through it. */
export interface GitEnvironment {
  env: Record<string, string>;
  /** The GIT_* variables set on purpose (simple-git refuses any it was not told about). */
  gitKeys: string[];
}

// A shell function git runs as `<helper> get`: it answers with the user name and the file's content.
// Only the file's path is in the environment; the secret goes from the file to git's stdin pipe.
const credentialHelper =
  '!f() { test "$1" = get || exit 0; ' +
  'if [ -n "$REPO_UPDATER_GIT_USERNAME" ]; then echo "username=$REPO_UPDATER_GIT_USERNAME"; fi; ' +
  'printf "password=%s\\n" "$(cat "$REPO_UPDATER_GIT_PASSWORD_FILE")"; }; f';

/**
 * Builds the environment of git commands: the parent's environment without any GIT_* variable or our
 * own settings (the sync token must not reach git), no prompts, C locale (messages are matched), and
 * config entries passed as GIT_CONFIG_KEY_n/VALUE_n rather than `-c` so they never show in `ps`.
 */
export function buildGitEnvironment(
  auth: GitAuth,
  config: readonly (readonly [string, string])[],
  root: string,
  parent: NodeJS.ProcessEnv = process.env,
  globalConfigFile?: string,
): GitEnvironment {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(parent)) {
    if (value === undefined || isDroppedVariable(key)) continue;
    env[key] = value;
  }
  const git: Record<string, string> = {
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    // A damaged .git must fail loudly, never make git pick up a repository above the root.
    GIT_CEILING_DIRECTORIES: root,
  };
  // Where git finds safe.directory for the repository and the root (git/global-config.ts).
  if (globalConfigFile) git.GIT_CONFIG_GLOBAL = globalConfigFile;
  env.LC_ALL = 'C';
  const entries: [string, string][] = [];
  if (auth.passwordFile) {
    // The empty value first: it clears helpers from system or global config, so ours is the only one.
    entries.push(['credential.helper', ''], ['credential.helper', credentialHelper]);
    env.REPO_UPDATER_GIT_PASSWORD_FILE = auth.passwordFile;
    if (auth.username) env.REPO_UPDATER_GIT_USERNAME = auth.username;
  }
  const ssh = buildSshCommand(auth);
  if (ssh) git.GIT_SSH_COMMAND = ssh;
  entries.push(...config.map(([key, value]): [string, string] => [key, value]));
  // Last, so no --git-config undoes it: a gc (or maintenance) that detaches outlives the sync that
  // started it, unbounded by its timeout, and ends as an orphan.
  entries.push(['gc.autoDetach', 'false'], ['maintenance.autoDetach', 'false']);
  if (entries.length > 0) {
    git.GIT_CONFIG_COUNT = String(entries.length);
    entries.forEach(([key, value], index) => {
      git[`GIT_CONFIG_KEY_${index}`] = key;
      git[`GIT_CONFIG_VALUE_${index}`] = value;
    });
  }
  return { env: { ...env, ...git }, gitKeys: Object.keys(git) };
}

/** `ssh -i KEY -o UserKnownHostsFile=...`: paths only, quoted for the shell git runs it with. */
export function buildSshCommand(auth: GitAuth): string | undefined {
  if (!auth.sshKeyFile && !auth.sshKnownHostsFile && !auth.sshSkipHostKeyCheck) return undefined;
  const parts = ['ssh', '-o', 'BatchMode=yes'];
  if (auth.sshKeyFile) parts.push('-i', quoteForShell(auth.sshKeyFile), '-o', 'IdentitiesOnly=yes');
  if (auth.sshSkipHostKeyCheck) {
    parts.push('-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null');
  } else {
    parts.push('-o', 'StrictHostKeyChecking=yes');
    if (auth.sshKnownHostsFile)
      parts.push('-o', `UserKnownHostsFile=${quoteForShell(auth.sshKnownHostsFile)}`);
  }
  return parts.join(' ');
}

export function quoteForShell(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

// Variables simple-git's guard refuses unless named, variables that would redirect git (GIT_DIR from a
// hook environment), and the program's own settings.
const droppedNames = new Set(['EDITOR', 'VISUAL', 'PAGER', 'PREFIX', 'SSH_ASKPASS']);

function isDroppedVariable(key: string): boolean {
  const upper = key.toUpperCase();
  return upper.startsWith('GIT') || upper.startsWith('REPO_UPDATER_') || droppedNames.has(upper);
}
