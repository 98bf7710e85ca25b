// `pnpm images [program...] [--local-base]`: builds the images and prints their sizes.
import { buildImages } from './build-images.ts';
import { localBaseImage } from './local-base.ts';
import { formatSizeReport } from './size-report.ts';

const usage = `Usage: pnpm images [program...] [--local-base]

Builds the bundles, then toolkit/<program>:latest and :<version> from images/<program>/Dockerfile.
  --local-base         build on ${localBaseImage}, made from this machine's Node (no registry needed)
Environment:
  TOOLKIT_BASE_IMAGE   base image for every program (overrides --local-base)
  TOOLKIT_LOCAL_BASE=1 same as --local-base
  TOOLKIT_IMAGE_REGISTRY, TOOLKIT_IMAGE_NAMESPACE  tag <registry>/<namespace>/<program> instead of toolkit/<program>
  SOURCE_DATE_EPOCH    the org.opencontainers.image.created date (default: the last commit's)
`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage);
    return 0;
  }
  const unknownFlag = argv.find((arg) => arg.startsWith('-') && arg !== '--local-base');
  if (unknownFlag) {
    process.stderr.write(`images: unknown option ${unknownFlag}\n${usage}`);
    return 2;
  }
  try {
    const images = await buildImages({
      programs: argv.filter((arg) => !arg.startsWith('-')),
      baseImage: process.env.TOOLKIT_BASE_IMAGE || undefined,
      localBase: argv.includes('--local-base') || process.env.TOOLKIT_LOCAL_BASE === '1',
    });
    process.stdout.write(`\n${formatSizeReport(images)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`\nimages: ${(error as Error).message}\n`);
    return 1;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
