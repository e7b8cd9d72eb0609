import type { Command } from 'commander';
import { addOutputOptions, addSynthOptions } from '../options.js';

/** `omnisonic mix <layer...>` */
export function register(program: Command): void {
  const mix = program
    .command('mix')
    .summary('render several layers summed')
    .description('Render several layers summed; the sum never clips unless --no-normalize.')
    .argument(
      '<layer...>',
      'layers: <freq>[:<wave>][@<gain>][~<pan>], noise:<color>[@gain][~pan], file:<path>[@gain][~pan]',
    );
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
    const { runMix } = await import('../mix.js');
    await runMix(layers, opts);
  });
}
