import type { Command } from 'commander';
import { addOutputOptions } from '../options.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `omnisonic render <preset|file.json|song.mid>` */
export function register(program: Command): void {
  const render = program
    .command('render')
    .summary('render a preset or a MIDI file')
    .description(
      'Render a preset (a built-in or user preset by name, or a preset JSON file) or a MIDI file offline.',
    )
    .argument(
      '<preset>',
      'preset name, preset file (.json) or MIDI file (recognised by content: MThd or RMID)',
    )
    .option('-d, --duration <time>', "override the preset's duration: 1.5, 90s, 2m, 1h, inf (stdout only)")
    .option('--preset-dir <dir>', 'also look for presets in <dir> (repeatable; searched first)', collect)
    .option('--seed <n>', "override the preset's noise seed")
    .option(
      '--voices <file.json>',
      'MIDI files: voice map of the built-in synthesizer (implies --synth builtin)',
    )
    .option(
      '--soundfont <file>',
      'MIDI files: SoundFont bank (.sf2, .sf3, .dls); default $OMNISONIC_SOUNDFONT, then the bundled GM bank',
    )
    .option('--synth <kind>', 'MIDI files: builtin|soundfont (default: soundfont when a bank is found)');
  addOutputOptions(render);
  const rate = render.options.find((o) => o.long === '--rate');
  if (rate) rate.defaultValueDescription = "the preset's sampleRate, else 48000";
  render.addHelpText(
    'after',
    `
Presets are looked up in --preset-dir, then $XDG_CONFIG_HOME/omnisonic/presets (default
~/.config/omnisonic/presets), then the built-in presets (omnisonic presets list).
Without -r the preset's own sampleRate is used (default 48000).
A SoundFont render of a MIDI song of 10 s or more, with 40 notes or more sounding on average,
uses one worker thread a core; OMNISONIC_MIDI_THREADS=N (1 to 8) sets the number.

Examples:
  omnisonic render alpha-relax -o alpha.flac          whole timed session, FLAC
  omnisonic render beta-to-theta -d 2m -o preview.wav first two minutes
  omnisonic render ./my-session.json -o - | aplay
  omnisonic render song.mid -o song.wav                General MIDI bank (FluidR3 Mono), stereo
  omnisonic render song.mid --soundfont my.sf2 -o song.flac
  omnisonic render song.mid --synth builtin -o song.wav
  omnisonic render song.mid --voices my-voices.json -o song.flac   (see docs/midi.md)`,
  );
  render.action(async (preset: string, opts: Record<string, unknown>, cmd: Command) => {
    const { runRender } = await import('../render.js');
    await runRender(preset, { ...opts, rateGiven: cmd.getOptionValueSource('rate') === 'cli' });
  });
}
