// Running docker, git and the bundler from the repository root.
import { type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { repoRoot } from '../programs.ts';
import { ImageBuildError } from './build-error.ts';

export function spawnSyncText(command: string, args: string[]) {
  return spawnSync(command, args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

export function capture(command: string, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.on('error', () => resolve({ code: -1, stdout }));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout }));
  });
}

/**
 * Runs a command; its stderr (and stdout unless captured) goes to our stderr when verbose, and into the
 * error message when it fails either way.
 */
export function run(
  command: string,
  args: string[],
  verbose: boolean,
  what: string,
  { captureStdout = false }: { captureStdout?: boolean } = {},
): Promise<{ output: string }> {
  return new Promise((resolve, reject) => {
    const spawnOptions: SpawnOptions = { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] };
    const child = spawn(command, args, spawnOptions);
    let transcript = '';
    let output = '';
    const forward = (chunk: Buffer, captured: boolean) => {
      const text = chunk.toString();
      if (captured) output += text;
      else {
        transcript += text;
        if (verbose) process.stderr.write(text);
      }
    };
    child.stdout!.on('data', (chunk: Buffer) => forward(chunk, captureStdout));
    child.stderr!.on('data', (chunk: Buffer) => forward(chunk, false));
    child.on('error', (error) => reject(new ImageBuildError(`${what}: ${command}: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve({ output });
      const tail = verbose ? '' : `\n${transcript.trimEnd().split('\n').slice(-40).join('\n')}`;
      reject(new ImageBuildError(`${what} failed (${signal ?? `exit ${code}`})${tail}`));
    });
  });
}
