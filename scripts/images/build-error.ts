export class ImageBuildError extends Error {
  override name = 'ImageBuildError';
}
