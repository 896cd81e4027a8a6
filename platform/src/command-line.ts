import { isAbsolute, resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { invocationDir } from './config.js';
import { ConfigError, PipelineError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>;

/** A mistake in how a command was called: exit code 2 and a pointer to the usage text. */
export class UsageError extends PipelineError {
  static override readonly code = 'USAGE_INVALID';
}

export interface CommandLine<O extends Options> {
  /** As the user types it after `npm run`, e.g. "index". */
  name: string;
  usage: string;
  options: O;
  /** Resolves with the exit code (0 when nothing is returned). */
  run(args: Parsed<O>): Promise<number | undefined> | number | undefined;
}

/**
 * The one way our command-line tools start and end: `--help`/`-h` prints the usage and exits 0;
 * an unknown option or a UsageError prints one line and exits 2; any other failure prints one line
 * (its cause on a second) and exits 1, with the stack only under `--verbose`; a closed pipe on
 * standard output (`| head`) ends the command quietly.
 */
export async function runCommandLine<O extends Options>(command: CommandLine<O>): Promise<void> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const verbose = process.argv.includes('--verbose');
  try {
    const args = parse(command);
    if ((args.values as { help?: boolean }).help) {
      console.log(command.usage);
      return;
    }
    process.exitCode = (await command.run(args)) ?? 0;
  } catch (error) {
    process.exitCode = report(command.name, error, verbose);
  }
}

function parse<O extends Options>(command: CommandLine<O>): Parsed<O> {
  const options = {
    ...command.options,
    help: { type: 'boolean', short: 'h' },
    verbose: { type: 'boolean' },
  } as const;
  try {
    return parseArgs({ options, allowPositionals: true, strict: true }) as unknown as Parsed<O>;
  } catch (error) {
    // node:util reports unknown options and missing values as TypeErrors with ERR_PARSE_ARGS_* codes.
    throw new UsageError((error as Error).message.split('. ')[0] ?? String(error));
  }
}

function report(name: string, error: unknown, verbose: boolean): number {
  if (error instanceof UsageError) {
    console.error(`${name}: ${error.message}\n(npm run ${name} -- --help shows the usage)`);
    return 2;
  }
  const code = error instanceof PipelineError && !(error instanceof ConfigError) ? ` (${error.code})` : '';
  console.error(`${name}: ${error instanceof Error ? error.message : String(error)}${code}`);
  const causes = causeChain(error);
  if (causes.length > 0) console.error(`  cause: ${causes.join(': ')}`);
  if (verbose && error instanceof Error) console.error(error.stack);
  return 1;
}

/** The messages of an error's causes, outermost first: fetch's "fetch failed" says why only in its own cause. */
function causeChain(error: unknown): string[] {
  const messages: string[] = [];
  for (let cause = (error as Error | undefined)?.cause; cause !== undefined && messages.length < 4; ) {
    messages.push(cause instanceof Error ? cause.message : String(cause));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return messages;
}

/** A file argument as the user meant it: relative to where they typed the command, not to a workspace. */
export function userPath(path: string): string {
  return isAbsolute(path) ? path : resolve(invocationDir(), path);
}
