import { stat } from 'node:fs/promises';

/**
 * libuv's thread pool runs every fsync, and an fsync holds its thread until the disk has the data. With
 * the default 4 threads, the fsyncs of a ten-file ConfigMap go out in three waves, each waiting for a
 * journal commit of its own; with 16 they go out together and share one. The size is read when the
 * pool starts (its first use, here), so it is set just before and then taken out of the environment:
 * commands the syncer runs do not inherit it. A size given in the environment is kept.
 */
export const threadPoolSize = 16;

if (process.env.UV_THREADPOOL_SIZE === undefined) {
  process.env.UV_THREADPOOL_SIZE = String(threadPoolSize);
  await stat('/');
  delete process.env.UV_THREADPOOL_SIZE;
}
