// Benchmark: from a push to the new tree behind the link, on a repository of 5,000 files.
//   pnpm bench repo-updater      (ROUNDS=10 by default; BENCH_PERIOD for the polling run; TMPDIR)
// Each round (after one warm-up round) pushes a commit that changes 10 files, then measures, on that
// same commit, one after the other (in turn, 200 ms apart):
//   - plain git, in place: `git fetch --depth 1` + `git checkout` in a clone (the naive sidecar; it
//     writes only the changed files, but a reader sees the tree half-updated)
//   - plain git, into a new directory: `git fetch --depth 1` + `git worktree add` of the commit
//     (the same work as an atomic update into a new tree: every file of the new commit written)
//   - repo-updater, POST /sync?wait, default --worktree-grace (1m): rounds are seconds apart, so no
//     replaced tree is past its grace period and each commit goes into a new worktree
//   - repo-updater, POST /sync?wait, --worktree-grace 0s: each commit goes into the spare (the tree
//     replaced two commits ago) in place, as it does with the default grace when pushes are more than a
//     minute apart
// then, with the POST instances stopped, repo-updater polling with --period (and --worktree-grace 0s),
// push to link swap. Everything lives in a temp dir (TMPDIR; TMPDIR=/dev/shm takes a busy disk out of
// the comparison) that is deleted at the end; the whole run is bounded to 5 minutes.
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createBenchRepo, git } from './fixture.ts';
import { type Row, summarise, time, timeAsync, waitForLink } from './measure.ts';
import { postSync, programFile, UpdaterProcess } from './updater-process.ts';

const files = 5000;
const changedPerCommit = 10;
const rounds = Number(process.env.ROUNDS ?? 10);
const period = process.env.BENCH_PERIOD ?? '250ms';
const token = 'bench-token';
const settleMs = 200;
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

/** POST /sync?wait to one updater; checks that its link ended on the commit. */
async function timePost(adminUrl: string, root: string, commit: string): Promise<number> {
  const ms = await timeAsync(async () => {
    const body = await postSync(adminUrl, token);
    if (body.commit !== commit)
      throw new Error(`POST /sync published ${JSON.stringify(body)}, not ${commit}`);
  });
  if (basename(readlinkSync(join(temp, root, 'current'))) !== commit)
    throw new Error(`${root}: link not on the commit`);
  return ms;
}

try {
  const setUp = performance.now();
  const repo = createBenchRepo(temp, files, rounds * 2 + 1, changedPerCommit);
  const url = `file://${repo.bare}`;
  for (const clone of ['in-place', 'new-dir'])
    git(temp, 'clone', '-q', '--depth', '1', '--no-tags', url, clone);
  const startPosting = (name: string, extra: string[]) => {
    const updater = new UpdaterProcess(
      ['--repo', url, '--root', join(temp, name), '--period', '0s', ...extra],
      { REPO_UPDATER_SYNC_TOKEN: token },
    );
    updaters.push(updater);
    return updater;
  };
  const posting = startPosting('post', []);
  const reusing = startPosting('post-reuse', ['--worktree-grace', '0s']);
  const admin = await posting.adminUrl();
  const reuseAdmin = await reusing.adminUrl();
  await posting.waitFor('ready');
  await reusing.waitFor('ready');
  console.log(`set-up: ${Math.round(performance.now() - setUp)} ms (repository, two clones, first syncs)`);

  const inPlace: number[] = [];
  const newDir: number[] = [];
  const viaPost: number[] = [];
  const viaPostReuse: number[] = [];
  const fetch1 = ['fetch', '-q', '--depth', '1', '--no-tags', 'origin', 'main'];
  // Round 0 is a warm-up, not counted: after it every contender starts from a tree it made itself
  // (and the reusing updater has a spare).
  for (let round = 0; round <= rounds; round++) {
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
        viaPost.push(await timePost(admin, 'post', commit));
      },
      async () => {
        viaPostReuse.push(await timePost(reuseAdmin, 'post-reuse', commit));
      },
    ];
    // Each goes first, second, third and fourth in turn: one that follows a 5,000-file write or delete
    // pays for the disk's writeback, and that must not always be the same one.
    for (let k = 0; k < contenders.length; k++) {
      await contenders[(round + k) % contenders.length]!();
      // Lets what runs after a sync (an updater's clean-up between syncs, the disk's writeback) end
      // before the next contender is timed.
      await new Promise((resolve) => setTimeout(resolve, settleMs));
    }
  }
  for (const samples of [inPlace, newDir, viaPost, viaPostReuse]) samples.shift();
  const stopping = performance.now();
  await Promise.all([posting.stop(), reusing.stop()]);
  console.log(`POST rounds done; stopping the updaters took ${Math.round(performance.now() - stopping)} ms`);
  // The warm-up round had no spare yet: every reuse counted is in a measured round.
  const reuses = reusing.count('published a new commit', '"checkout":"spare"');

  const pollStart = performance.now();
  const polling = new UpdaterProcess([
    ...['--repo', url, '--root', join(temp, 'poll'), '--period', period],
    ...['--worktree-grace', '0s'],
  ]);
  updaters.push(polling);
  await polling.waitFor('ready');
  console.log(`polling updater ready after ${Math.round(performance.now() - pollStart)} ms`);
  const viaPolling: number[] = [];
  for (let round = rounds + 1; round <= rounds * 2; round++) {
    const commit = repo.commits[round]!;
    repo.push(commit);
    viaPolling.push(await timeAsync(() => waitForLink(join(temp, 'poll', 'current'), commit)));
  }
  await polling.stop();

  const rows = [
    summarise('git fetch + git checkout, in place', inPlace),
    summarise('git fetch + git worktree add, new directory', newDir),
    summarise('repo-updater, POST /sync?wait, new worktree', viaPost),
    summarise('repo-updater, POST /sync?wait, spare reused', viaPostReuse),
    summarise(`repo-updater, polling every ${period}, spare reused`, viaPolling),
  ];
  console.log(
    `\nrepo-updater bench: ${files} files, ${rounds} rounds, ${changedPerCommit} files changed per commit`,
  );
  console.log(`program: ${programFile}`);
  console.log(`spare reused in ${reuses} of ${rounds} POST syncs with --worktree-grace 0s\n`);
  const cell = (ms: number) => `${ms.toFixed(0)} ms`.padStart(9);
  console.log(
    `${'from push to new tree'.padEnd(52)}${'p50'.padStart(9)}${'p90'.padStart(9)}${'max'.padStart(9)}`,
  );
  for (const row of rows)
    console.log(`${row.label.padEnd(52)}${cell(row.median)}${cell(row.p90)}${cell(row.max)}`);
  const [place, dir, post, reuse] = rows as [Row, Row, Row, Row];
  console.log('\nratios of the medians (p50), lower is better:');
  for (const row of [post, reuse]) {
    console.log(
      `  ${row.label.padEnd(48)} ${(row.median / place.median).toFixed(2)}x in-place checkout, ${(row.median / dir.median).toFixed(2)}x new directory`,
    );
  }
} catch (error) {
  console.error(`bench failed: ${(error as Error).message}`, (error as Error).cause ?? '');
  for (const updater of updaters)
    console.error(`repo-updater (exit ${updater.child.exitCode}):\n${updater.tail()}`);
  process.exitCode = 1;
} finally {
  clearTimeout(overall);
  await cleanUp();
}
