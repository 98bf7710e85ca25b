declare const TOOLKIT_VERSION: string | undefined;

/** The program's version: set by the bundler from the package's version, `0.0.0-dev` when run from source. */
export const toolkitVersion: string = typeof TOOLKIT_VERSION === 'string' ? TOOLKIT_VERSION : '0.0.0-dev';
