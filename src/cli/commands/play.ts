import type { Command } from 'commander';
import { addSynthOptions } from '../options.js';

/** `omnisonic play <input...>` */
export function register(program: Command): void {
  const play = program
    .command('play')
    .summary('play in real time on the sound card')
    .description(
      'Play a tone, layers, a preset or an audio file on the sound card in real time (Ctrl-C fades out).',
    )
    .argument(
      '[input...]',
      'a frequency (440, A4), several mix layers, a preset name or file.json, or an audio file',
    );
  addSynthOptions(play);
  const duration = play.options.find((o) => o.long === '--duration');
  duration?.default('inf');
  if (duration) duration.description = 'length: 1.5, 90s, 2m, 1h, or inf (until Ctrl-C)';
  play.setOptionValueWithSource('duration', 'inf', 'default');
  play
    .option('--no-normalize', 'mix layers: keep raw gains')
    .option('-r, --rate <Hz>', 'sample rate', '48000')
    .option('-c, --channels <n>', 'channels sent to the device (default: 1, or 2 when a layer needs stereo)')
    .option('--dither <kind>', 'tpdf|none', 'tpdf')
    .option('--device <name>', 'ALSA device name (aplay -L lists them), e.g. default, plughw:1,0')
    .option('--latency <ms>', 'audio buffered ahead of real time', '100')
    .option('-i, --interactive', 'keys: up/down a semitone, left/right volume, space pause, q quit')
    .option(
      '--midi-in <port>',
      "play notes from a MIDI input port (index or name; see --list-midi), or '-': raw MIDI bytes on stdin",
    )
    .option(
      '--soundfont <file>',
      'with --midi-in: SoundFont bank (.sf2, .sf3, .dls); default $OMNISONIC_SOUNDFONT, then the bundled GM bank',
    )
    .option('--synth <kind>', 'with --midi-in: builtin|soundfont (default: soundfont when a bank is found)')
    .option(
      '--voices <file.json>',
      'with --midi-in: voice map of the built-in synthesizer (implies --synth builtin)',
    )
    .option('--list-midi', 'list the MIDI input ports and exit');
  play.addHelpText(
    'after',
    `
Examples:
  omnisonic play A4                              until Ctrl-C (fades out)
  omnisonic play 200 --binaural 10 -d 20m
  omnisonic play C4 E4 G4 -d 5                   several arguments are mix layers
  omnisonic play rain.ogg --device plughw:1,0
  omnisonic play 440 --interactive               arrows change pitch and volume, space pauses
  omnisonic play --midi-in KeyStep               play a MIDI keyboard with the General MIDI bank
  omnisonic play --midi-in 0 --soundfont my.sf2  ... with another bank
  cat /dev/snd/midiC1D0 | omnisonic play --midi-in -   raw MIDI bytes from a pipe`,
  );
  play.action(async (inputs: string[], opts: Record<string, unknown>, cmd: Command) => {
    if (opts.listMidi) return (await import('../../midi/live.js')).printMidiPorts();
    const { runPlay } = await import('../play.js');
    const given = (name: string) => cmd.getOptionValueSource(name) !== 'default';
    await runPlay(inputs, opts, given);
  });
}
