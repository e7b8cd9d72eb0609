import type { Command } from 'commander';

/** `omnisonic suggest <freq|note...>` */
export function register(program: Command): void {
  const suggest = program
    .command('suggest')
    .summary('suggest notes that fit a chord (harmony)')
    .description(
      'Suggest notes to add to a chord: just ratios, harmonics and 12-TET notes scored by the consonance (or tension) of the chord they make, or binaural beats by band. Learns from --like/--dislike.',
    )
    .argument('[freq...]', 'input notes: 440, 440hz, A4, C#5, Bb3, A4+15c')
    .option(
      '--from <audio>',
      'analyse an audio file (WAV; other formats through FFmpeg) and use the notes found',
    )
    .option('-n, --count <n>', 'number of suggestions (1-50)', '5')
    .option(
      '--range <lo..hi>',
      'range of suggestions, Hz or notes: 100..2000, C3..C6 (default: lowest/2..highest*2)',
    )
    .option('--tuning <tuning>', 'just|12tet|pythagorean', 'just')
    .option('--goal <goal>', 'consonant|tension|binaural', 'consonant')
    .option('--a4 <Hz>', 'reference pitch of A4 for note names', '440')
    .option('--json', 'print the result as JSON on stdout (as POST /ai/suggest-frequencies/)')
    .option('--render <file>', 'audition: render the input plus the top suggestion (type from the extension)')
    .option('-d, --duration <time>', 'length of --render', '4')
    .option('--midi <file.mid>', 'write a MIDI file: the chord, then the chord with each suggestion')
    .option('--like <rank>', 'you liked suggestion <rank> of this ranking: the profile learns from it')
    .option('--dislike <rank>', 'you disliked suggestion <rank> of this ranking')
    .option('--profile <path>', 'adaptive profile file (default: ~/.config/omnisonic/profile.json)')
    .option('--reset-profile', 'forget every learned preference (the profile starts empty)');
  suggest.addHelpText(
    'after',
    `
--like/--dislike rank the same suggestions as the same command without them, learn from the
chosen one, save the profile (atomically), and print the new ranking.

Examples:
  omnisonic suggest C4 E4                      notes that complete C-E
  omnisonic suggest 220 275 -n 8 --range 200..900 --tuning 12tet
  omnisonic suggest C4 E4 G4 --goal tension --json
  omnisonic suggest A3 --goal binaural         carriers and beats by band
  omnisonic suggest C4 E4 --render try.wav     hear C4, E4 and the top suggestion
  omnisonic suggest --from chord.wav
  omnisonic suggest C4 E4 --like 2             learn from suggestion 2`,
  );
  suggest.action(async (freqs: string[], opts: Record<string, unknown>) => {
    const { runSuggest } = await import('../suggest.js');
    await runSuggest(freqs, opts);
  });
}
