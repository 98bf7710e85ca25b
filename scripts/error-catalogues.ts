import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type ErrorCatalogue, lifecycleErrorCodes } from '../packages/lifecycle/src/index.ts';
import { listPrograms } from './programs.ts';

export interface ProgramCatalogue {
  program: string;
  /** The package directory; undefined for lifecycle's shared codes. */
  dir: string | undefined;
  codes: ErrorCatalogue;
}

/** Each program's error catalogue (`src/error-codes.ts` beside its definition), lifecycle's first. */
export async function errorCatalogues(): Promise<ProgramCatalogue[]> {
  const catalogues: ProgramCatalogue[] = [
    { program: 'every program', dir: undefined, codes: lifecycleErrorCodes },
  ];
  for (const program of listPrograms()) {
    const file = join(program.dir, 'src', 'error-codes.ts');
    if (!existsSync(file)) continue;
    catalogues.push({ program: program.name, dir: program.dir, codes: (await import(file)).errorCodes });
  }
  return catalogues;
}
