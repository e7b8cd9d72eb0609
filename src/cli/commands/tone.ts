import type { Command } from 'commander';
import { addOutputOptions, addSynthOptions } from '../options.js';

/** `omnisonic tone <freq>` */
export function register(program: Command): void {
  const tone = program
    .command('tone')
    .summary('render one tone')
    .description(
      'Render one tone: a sine or band-limited wave, optionally swept, modulated, binaural or isochronic.',
    )
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
    const { runTone } = await import('../tone.js');
    await runTone(freq, opts);
  });
}
