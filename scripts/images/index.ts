// Builds the program images: `pnpm images [program...] [--local-base]` (main.ts is the command line).
// Bundles first (scripts/build.ts), then `images/<program>/Dockerfile` with the repository root as the
// build context, tagged toolkit/<program>:latest and :<version>, with OCI labels; then a size report.
//
// The base image: TOOLKIT_BASE_IMAGE if set; else toolkit/node-base:local (scripts/local-base.sh) with
// --local-base or TOOLKIT_LOCAL_BASE=1, for machines that cannot pull (or the variant a Dockerfile names
// with `# toolkit-local-base: <variant>`, made by scripts/local-base-<variant>.sh); else each
// Dockerfile's default, the official node image. The end-to-end tests' global setup calls buildImages() with the local base.
export { ImageBuildError } from './build-error.ts';
export { buildImages, type ImageBuildOptions } from './build-images.ts';
export { dockerfileOf, imageTags, localBaseVariant } from './dockerfiles.ts';
export { localBaseImage } from './local-base.ts';
export { type BuiltImage, formatSizeReport } from './size-report.ts';
