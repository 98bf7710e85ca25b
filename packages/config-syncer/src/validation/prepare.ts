import { isTempName } from '../publish/atomic-write.ts';
import { manifestName } from '../publish/manifest.ts';
import { type FileSet, hashContent, mergeFileSets } from '../snapshot.ts';
import { decodeText, renderTemplate, type TemplateMode } from '../template.ts';
import { validateFile } from './file-type.ts';

export interface PrepareOptions {
  template: TemplateMode;
  env: Readonly<Record<string, string | undefined>>;
  validateTypes: boolean;
  /**
   * name → hash of the content last found valid, kept by the caller between syncs: a resync of a
   * thousand unchanged YAML files then parses none of them.
   */
  validated: Map<string, string>;
}

export type Prepared =
  | { ok: true; files: FileSet }
  | { ok: false; reason: 'conflict' | 'template' | 'syntax'; problems: string[] };

/**
 * Turns what the sources hold into what would be published: merged, templated, and checked by type.
 * Any problem rejects the whole set, not just the file: configs refer to each other, and half of a
 * new config next to half of the old one is worse than the old one whole.
 */
export function prepareFiles(
  parts: readonly { source: string; files: FileSet }[],
  options: PrepareOptions,
): Prepared {
  const { files, conflicts } = mergeFileSets(parts);
  const clashes = conflicts.map((c) => `${c.name}: provided by ${c.sources.join(' and ')}`);
  for (const name of files.keys()) {
    if (name === manifestName || isTempName(name))
      clashes.push(`${name}: name reserved for the syncer's own files`);
  }
  if (clashes.length > 0) return { ok: false, reason: 'conflict', problems: clashes };

  if (options.template !== 'off') {
    const problems: string[] = [];
    for (const [name, content] of files) {
      const text = decodeText(content);
      if (text === undefined) continue;
      const rendered = renderTemplate(text, options.env, options.template);
      if (options.template === 'strict' && rendered.missing.length > 0) {
        problems.push(
          `${name}: unset variable${rendered.missing.length > 1 ? 's' : ''} ${rendered.missing.join(', ')}`,
        );
      }
      if (rendered.text !== text) files.set(name, Buffer.from(rendered.text));
    }
    if (problems.length > 0) return { ok: false, reason: 'template', problems };
  }

  if (options.validateTypes) {
    const problems: string[] = [];
    const valid = new Map<string, string>();
    for (const [name, content] of files) {
      const hash = hashContent(content);
      const problem = options.validated.get(name) === hash ? undefined : validateFile(name, content);
      if (problem) problems.push(`${name}: ${problem}`);
      else valid.set(name, hash);
    }
    if (problems.length > 0) return { ok: false, reason: 'syntax', problems };
    options.validated.clear();
    for (const [name, hash] of valid) options.validated.set(name, hash);
  }
  return { ok: true, files };
}
