import type { Command } from 'commander';

/** `omnisonic analyze <audio file>` */
export function register(program: Command): void {
  const analyze = program
    .command('analyze')
    .summary('analyse an audio file: notes, chord, key, loudness')
    .description(
      'Analyse an audio file (WAV; other formats through FFmpeg): duration, f0, partials, the notes present, chord, key, consonance, and loudness (BS.1770 integrated LUFS, true peak, RMS).',
    )
    .argument('<file>', 'audio file')
    .option('--json', 'print the analysis as JSON on stdout (as POST /analyze/)')
    .option('--plot <png>', 'draw a picture of the sound into a PNG file')
    .option('--plot-kind <kind>', 'spectrum|spectrogram|waveform', 'spectrum')
    .option('--max-notes <n>', 'most notes to report (1-16)', '8')
    .option('--partials <n>', 'most partials to report (1-100)', '24')
    .option('--a4 <Hz>', 'reference pitch of A4 for note names', '440');
  analyze.addHelpText(
    'after',
    `
Examples:
  omnisonic analyze chord.wav
  omnisonic analyze song.mp3 --json | jq .loudness
  omnisonic analyze voice.flac --plot voice.png --plot-kind spectrogram`,
  );
  analyze.action(async (file: string, opts: Record<string, unknown>) => {
    const { runAnalyze } = await import('../analyze.js');
    await runAnalyze(file, opts);
  });
}
