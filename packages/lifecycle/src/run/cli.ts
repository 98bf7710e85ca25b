import { UsageError } from '../errors.ts';
import { formatHelp, type OptionTable, type ParseResult, parseOptions } from '../options.ts';
import type { ProgramDefinition } from '../program-definition.ts';
import { describeMetrics, formatReferenceHelp } from '../reference.ts';

/** `program: message` and where to look, on stderr: the form of every usage error (exit 2). */
export function printUsageError(program: string, error: UsageError): void {
  process.stderr.write(`${program}: ${error.message}\nRun '${program} --help' for the options.\n`);
}

/**
 * The command line step: `--help` and `--version` print and exit 0; a bad flag, env value or missing
 * option prints what is wrong and exits 2; otherwise the parsed options.
 */
export function readCommandLine<T extends OptionTable>(
  definition: ProgramDefinition<T>,
  table: OptionTable,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): ParseResult<OptionTable> {
  const { name, version } = definition;
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      `${formatHelp(name, definition.summary, definition.usage ?? `${name} [options]`, table)}\n${formatReferenceHelp(
        definition.endpoints,
        describeMetrics((registry) => definition.metrics(registry)),
      )}`,
    );
    process.exit(0);
  }
  if (argv.includes('--version')) {
    process.stdout.write(`${name} ${version}\n`);
    process.exit(0);
  }
  try {
    return parseOptions(name, table, argv, env, definition.refusedOptions);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    printUsageError(name, error);
    process.exit(2);
  }
}
