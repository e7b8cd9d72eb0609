import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { isOmniError } from '../errors.js';
import { packagePath } from '../package-root.js';
import { register as analyze } from './commands/analyze.js';
import { register as mix } from './commands/mix.js';
import { register as play } from './commands/play.js';
import { register as presets } from './commands/presets.js';
import { register as render } from './commands/render.js';
import { register as serve } from './commands/serve.js';
import { register as suggest } from './commands/suggest.js';
import { register as tone } from './commands/tone.js';
import { register as worker } from './commands/worker.js';
import { printError, setVerbose } from './report.js';

const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as {
  version: string;
};

/**
 * Every command, in the order of --help. Each module in ./commands defines its options and help
 * and loads its implementation only when run, to keep start-up short.
 */
const COMMANDS: [string, (program: Command) => void][] = [
  ['tone', tone],
  ['mix', mix],
  ['render', render],
  ['play', play],
  ['suggest', suggest],
  ['analyze', analyze],
  ['presets', presets],
  ['serve', serve],
  ['worker', worker],
];

/** The first word of `argv` that is not an option: the command, when there is one. */
function commandWord(argv: string[]): string | undefined {
  return argv.slice(2).find((a) => !a.startsWith('-'));
}

/**
 * The commands to define for `argv`: only the one being run when the first word names one
 * (start-up is shorter), every one otherwise (the overview, help, an unknown command's hint).
 */
function commandsFor(argv: string[]): ((program: Command) => void)[] {
  const word = commandWord(argv);
  const named = COMMANDS.find(([name]) => name === word);
  return named ? [named[1]] : COMMANDS.map(([, register]) => register);
}

/** Commands register here; each action loads its module only when run, to keep start-up short. */
function buildProgram(argv: string[]): Command {
  const program = new Command('omnisonic')
    .description('Sound synthesis from the command line: tones, layers, binaural sessions, harmony.')
    .version(pkg.version, '-V, --version', 'print the version')
    .option('--verbose', 'more detail on stderr, stack traces on errors')
    .option('--no-color', 'no colour in messages (also NO_COLOR=1)')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortOptions: false, showGlobalOptions: true })
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error: /, 'omnisonic: error: ')),
    })
    .hook('preAction', (cmd) => {
      const opts = cmd.optsWithGlobals() as { verbose?: boolean; color?: boolean };
      setVerbose(Boolean(opts.verbose));
      if (opts.color === false) process.env.NO_COLOR = '1';
    });

  for (const register of commandsFor(argv)) register(program);
  program.addOption(new Option('--no-colour').hideHelp());
  return program;
}

/** Run the CLI with `argv` (as process.argv). Sets process.exitCode; never throws. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram(argv);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; every usage error exits 2
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    printError(e);
    process.exitCode = isOmniError(e) ? e.exitCode : 1;
  }
}

// A reader that stops early (`omnisonic presets list | head -3`) closes the pipe: the rest of
// the text has nowhere to go, which is the reader's choice, not an error. Audio to stdout handles
// this in its sink; this covers text, help included, without making process.stdout up front.
process.on('uncaughtException', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE' && e.syscall === 'write') return;
  printError(e);
  process.exit(1);
});

/**
 * The standard streams the run has used. Node makes process.stdout and process.stderr on first
 * use (a few ms for a pipe); noting which were made lets the exit below wait on those alone
 * instead of making both.
 */
const usedStreams = new Set<NodeJS.WriteStream>();
for (const name of ['stdout', 'stderr'] as const) {
  const desc = Object.getOwnPropertyDescriptor(process, name);
  const get = desc?.get;
  if (get && desc.configurable) {
    Object.defineProperty(process, name, {
      ...desc,
      get() {
        const stream = get.call(process) as NodeJS.WriteStream;
        usedStreams.add(stream);
        return stream;
      },
    });
  } else {
    usedStreams.add(process[name]);
  }
}

/**
 * Commands that are done when main returns. They leave at once, once stdout and stderr have
 * taken everything, rather than letting Node free the heap page by page (30-50 ms here, longer
 * than the rest of a short render). `serve` and `play` end on their own.
 */
const DONE_ON_RETURN = new Set(['tone', 'mix', 'render', 'suggest', 'analyze', 'presets']);

async function runAndLeave(argv: string[]): Promise<void> {
  await main(argv);
  const ran = commandWord(argv);
  if (ran !== undefined && DONE_ON_RETURN.has(ran)) {
    for (const stream of usedStreams) {
      // an empty write calls back once everything before it is written (or the stream failed)
      if (stream.writableLength > 0) await new Promise<void>((resolve) => stream.write('', () => resolve()));
    }
    process.exit();
  }
}

void runAndLeave(process.argv);
