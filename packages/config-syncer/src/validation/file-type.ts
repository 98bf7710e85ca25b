import { extname } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parseAllDocuments } from 'yaml';
import { decodeText } from '../template.ts';

type Parser = (text: string) => void;

function parseYamlStream(text: string): void {
  const documents = parseAllDocuments(text);
  // An empty stream is valid YAML (an empty config), and comes back as a single object, not an array.
  if (!Array.isArray(documents)) return;
  for (const document of documents) {
    const [first] = document.errors;
    if (first) throw first;
  }
}

/** Parsers by file extension: the formats app configs come in that have a strict, well-kept parser. */
const parsers: Record<string, Parser> = {
  '.json': (text) => JSON.parse(text),
  '.yaml': parseYamlStream,
  '.yml': parseYamlStream,
  '.toml': (text) => parseToml(text),
};

export const validatedExtensions = Object.keys(parsers);

/** Checks a file by its extension; returns why it is invalid, or undefined (also for unknown types). */
export function validateFile(name: string, content: Buffer): string | undefined {
  const parse = parsers[extname(name).toLowerCase()];
  if (!parse) return undefined;
  const text = decodeText(content);
  if (text === undefined) return 'not valid UTF-8 text';
  try {
    parse(text);
    return undefined;
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
}
