// Benchmark: from a push to the new tree behind the link, on a repository of 5,000 files.
//   node bench/repo-updater/run.ts            (ROUNDS=10 by default; BENCH_PERIOD for the polling run)
// Each round pushes a commit that changes 10 files, then measures, on that same commit:
//   - plain git, in place: `git fetch --depth 1` + `git checkout` in a clone (the naive sidecar)
//   - plain git, into a new directory: `git fetch --depth 1` + `git worktree add` of the commit
//     (the same work as an atomic update: a complete tree of the new commit)
//   - repo-updater, POST /sync?wait: the request returns once the link points at the new tree
// then, with the POST instance stopped, repo-updater polling with --period, push to link swap.
// Everything lives in a temp dir (TMPDIR; TMPDIR=/dev/shm takes a busy disk out of the comparison)
// that is deleted at the end; the whole run is bounded to 5 minutes.
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createBenchRepo, git } from './fixture.ts';
import { summarise, time, timeAsync, waitForLink } from './measure.ts';
import { postSync, programFile, UpdaterProcess } from './updater-process.ts';

const files = 5000;
const changedPerCommit = 10;
const rounds = Number(process.env.ROUNDS ?? 10);
const period = process.env.BENCH_PERIOD ?? '250ms';
const token = 'bench-token';
const overall = setTimeout(() => {
  console.error('bench: over 5 minutes, giving up');
  process.exitCode = 1;
  cleanUp().finally(() => process.exit(1));
}, 300_000);

const temp = mkdtempSync(join(tmpdir(), 'repo-updater-bench-'));
const updaters: UpdaterProcess[] = [];
async function cleanUp(): Promise<void> {
  await Promise.all(updaters.map((updater) => updater.stop()));
  const started = performance.now();
  rmSync(temp, { recursive: true, force: true });
  console.log(`clean-up: ${Math.round(performance.now() - started)} ms`);
}

try {
  const setUp = performance.now();
  const repo = createBenchRepo(temp, files, rounds * 2, changedPerCommit);
  const url = `file://${repo.bare}`;
  for (const clone of ['in-place', 'new-dir'])
    git(temp, 'clone', '-q', '--depth', '1', '--no-tags', url, clone);
  const posting = new UpdaterProcess(['--repo', url, '--root', join(temp, 'post'), '--period', '0s'], {
    REPO_UPDATER_SYNC_TOKEN: token,
  });
  updaters.push(posting);
  const admin = await posting.adminUrl();
  await posting.waitFor('ready');
  console.log(`set-up: ${Math.round(performance.now() - setUp)} ms (repository, two clones, first sync)`);

  const inPlace: number[] = [];
  const newDir: number[] = [];
  const viaPost: number[] = [];
  const fetch1 = ['fetch', '-q', '--depth', '1', '--no-tags', 'origin', 'main'];
  for (let round = 0; round < rounds; round++) {
    const commit = repo.commits[round]!;
    repo.push(commit);
    const contenders: (() => Promise<void>)[] = [
      async () => {
        inPlace.push(
          time(() => {
            git(join(temp, 'in-place'), ...fetch1);
            git(join(temp, 'in-place'), 'checkout', '-q', '--detach', commit);
          }),
        );
        if (git(join(temp, 'in-place'), 'rev-parse', 'HEAD') !== commit)
          throw new Error('in-place checkout missed');
      },
      async () => {
        const tree = join(temp, 'trees', commit);
        newDir.push(
          time(() => {
            git(join(temp, 'new-dir'), ...fetch1);
            git(join(temp, 'new-dir'), 'worktree', 'add', '-q', '--detach', tree, commit);
          }),
        );
        // Not timed: keeps the disk from filling with trees only this baseline needs.
        git(join(temp, 'new-dir'), 'worktree', 'remove', '--force', tree);
      },
      async () => {
        viaPost.push(
          await timeAsync(async () => {
            const body = await postSync(admin, token);
            if (body.commit !== commit)
              throw new Error(`POST /sync published ${JSON.stringify(body)}, not ${commit}`);
          }),
        );
        if (basename(readlinkSync(join(temp, 'post', 'current'))) !== commit)
          throw new Error('link not on the commit');
      },
    ];
    // Each goes first, second and third in turn: one that follows a 5,000-file write or delete pays
    // for the disk's writeback, and that must not always be the same one.
    for (let k = 0; k < contenders.length; k++) await contenders[(round + k) % contenders.length]!();
  }
  const stopping = performance.now();
  await posting.stop();
  console.log(`POST rounds done; stopping the updater took ${Math.round(performance.now() - stopping)} ms`);

  const pollStart = performance.now();
  const polling = new UpdaterProcess(['--repo', url, '--root', join(temp, 'poll'), '--period', period]);
  updaters.push(polling);
  await polling.waitFor('ready');
  console.log(`polling updater ready after ${Math.round(performance.now() - pollStart)} ms`);
  const viaPolling: number[] = [];
  for (let round = rounds; round < rounds * 2; round++) {
    const commit = repo.commits[round]!;
    repo.push(commit);
    viaPolling.push(await timeAsync(() => waitForLink(join(temp, 'poll', 'current'), commit)));
  }
  await polling.stop();

  const rows = [
    summarise('git fetch + git checkout, in place', inPlace),
    summarise('git fetch + git worktree add, new directory', newDir),
    summarise('repo-updater, POST /sync?wait', viaPost),
    summarise(`repo-updater, polling every ${period}`, viaPolling),
  ];
  console.log(
    `\nrepo-updater bench: ${files} files, ${rounds} rounds, ${changedPerCommit} files changed per commit`,
  );
  console.log(`program: ${programFile}\n`);
  console.log(`${'from push to new tree'.padEnd(48)}${'median'.padStart(10)}${'p90'.padStart(10)}`);
  for (const row of rows) {
    console.log(
      `${row.label.padEnd(48)}${`${row.median.toFixed(0)} ms`.padStart(10)}${`${row.p90.toFixed(0)} ms`.padStart(10)}`,
    );
  }
  const [place, dir, post] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
  console.log(
    `\nPOST /sync vs plain git: ${(post.median / place.median).toFixed(2)}x in place, ${(post.median / dir.median).toFixed(2)}x into a new directory (medians)`,
  );
} catch (error) {
  console.error(`bench failed: ${(error as Error).message}`, (error as Error).cause ?? '');
  for (const updater of updaters)
    console.error(`repo-updater (exit ${updater.child.exitCode}):\n${updater.tail()}`);
  process.exitCode = 1;
} finally {
  clearTimeout(overall);
  await cleanUp();
}
