import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { isOmniError } from '../errors.js';
import { addOutputOptions, addSynthOptions } from './options.js';
import { printError, setVerbose } from './report.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Commands register here; each action loads its module only when run, to keep start-up short. */
function buildProgram(): Command {
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

  const tone = program
    .command('tone')
    .summary('render one tone')
    .description('Render one tone: a sine or band-limited wave, optionally swept, modulated, binaural or isochronic.')
    .argument('<freq>', 'frequency: 440, 440hz, A4, C#5, Bb3, A4+15c');
  addSynthOptions(tone);
  addOutputOptions(tone);
  tone.addHelpText(
    'after',
    `
Examples:
  omnisonic tone A4 -d 3 -o a4.wav                 3 s of 440 Hz at -6 dBFS
  omnisonic tone 200 --binaural 10 -d 10m -o alpha.wav
  omnisonic tone 100 --sweep 8000 --sweep-curve exp -d 10 -b 24 -o sweep.wav
  omnisonic tone C4 -w saw --envelope 0.01,0.2,0.6,0.5 -d 2 -o - | aplay
  omnisonic tone 440 -d inf -o - | ffmpeg -i - -t 60 -c:a libopus out.opus`,
  );
  tone.action(async (freq: string, opts: Record<string, unknown>) => {
    const { runTone } = await import('./tone.js');
    await runTone(freq, opts);
  });

  const mix = program
    .command('mix')
    .summary('render several layers summed')
    .description('Render several layers summed; the sum never clips unless --no-normalize.')
    .argument('<layer...>', "layers: <freq>[:<wave>][@<gain>][~<pan>], noise:<color>[@gain][~pan], file:<path>[@gain][~pan]");
  addSynthOptions(mix, { layers: true });
  mix.option('--no-normalize', 'keep raw gains (the sum may clip; clipped samples are reported)');
  addOutputOptions(mix);
  mix.addHelpText(
    'after',
    `
Layer syntax:
  440  A4:saw@-12dB  3/2@0.3~-0.5  noise:pink@-20dB  file:rain.wav@-10dB
  <freq> is Hz, a note, or a ratio to the first layer; <wave> sine|square|saw|triangle|pulse;
  <gain> linear or dB; <pan> -1 (left) .. 1 (right).

Examples:
  omnisonic mix C4 E4 G4 -d 4 -o chord.wav
  omnisonic mix 200 3/2 2 noise:brown@-24dB -d 30m -o drone.flac
  omnisonic mix 110:saw@-12dB 220:square@-18dB~0.5 -d 5 -o - | sox -t wav - -n stat`,
  );
  mix.action(async (layers: string[], opts: Record<string, unknown>) => {
    const { runMix } = await import('./mix.js');
    await runMix(layers, opts);
  });

  program.addOption(new Option('--no-colour').hideHelp());
  return program;
}

/** Run the CLI with `argv` (as process.argv). Sets process.exitCode; never throws. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
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

await main(process.argv);
