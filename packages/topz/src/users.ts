import { readFileSync } from 'node:fs';
import { parsePasswd } from './proc/parse.ts';

/**
 * uid → name from topz's own /etc/passwd. The app's users are often missing there (another image);
 * those processes show their uid. A distroless image without the file gives an empty map.
 */
export function readUsers(path = '/etc/passwd'): Map<number, string> {
  try {
    return parsePasswd(readFileSync(path, 'utf8'));
  } catch {
    return new Map();
  }
}
