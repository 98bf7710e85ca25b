// What docker knows about an image: its id, whether it exists, its size; removing one a rebuild replaced.
import { capture } from './processes.ts';

export async function imageId(image: string): Promise<string | undefined> {
  const { code, stdout } = await capture('docker', ['image', 'inspect', '--format', '{{.Id}}', image]);
  return code === 0 ? stdout.trim() : undefined;
}

export async function imageExists(image: string): Promise<boolean> {
  return (await imageId(image)) !== undefined;
}

/**
 * The image a rebuild took the tags from is left untagged: remove it, so re-runs do not pile up dangling
 * images. Only when nothing tags it any more; a container still using it keeps it (rmi then fails).
 */
export async function removeIfReplaced(previousId: string | undefined): Promise<void> {
  if (!previousId) return;
  const { code, stdout } = await capture('docker', [
    'image',
    'inspect',
    '--format',
    '{{len .RepoTags}}',
    previousId,
  ]);
  if (code === 0 && stdout.trim() === '0') await capture('docker', ['image', 'rm', previousId]);
}

export async function imageSize(image: string): Promise<number> {
  const { code, stdout } = await capture('docker', ['image', 'inspect', '--format', '{{.Size}}', image]);
  return code === 0 ? Number(stdout.trim()) : Number.NaN;
}
