import type { Command } from 'commander';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `omnisonic presets list|show|validate` */
export function register(program: Command): void {
  const presets = program
    .command('presets')
    .summary('list, show and validate presets')
    .description(
      'Built-in presets, user presets ($XDG_CONFIG_HOME/omnisonic/presets, default ~/.config/omnisonic/presets) and --preset-dir folders.',
    );
  presets
    .command('list')
    .description('list every preset with its duration and description')
    .option('--json', 'JSON on stdout')
    .option('--preset-dir <dir>', 'also look in <dir> (repeatable; searched first)', collect)
    .action(async (opts: Record<string, unknown>) => {
      const { runPresetsList } = await import('../presets.js');
      await runPresetsList(opts);
    });
  presets
    .command('show')
    .description('print a preset as JSON on stdout')
    .argument('<name>', 'preset name or file')
    .option('--preset-dir <dir>', 'also look in <dir> (repeatable; searched first)', collect)
    .action(async (name: string, opts: Record<string, unknown>) => {
      const { runPresetsShow } = await import('../presets.js');
      await runPresetsShow(name, opts);
    });
  presets
    .command('validate')
    .description('check preset files: "ok" on stderr, or exit 2 with <file>: <json path>: <reason>')
    .argument('<file...>', 'preset files or names')
    .option(
      '-r, --rate <Hz>',
      "check frequencies against this sample rate (default: the preset's own, else 48000)",
    )
    .option('--preset-dir <dir>', 'also look in <dir> (repeatable; searched first)', collect)
    .action(async (files: string[], opts: Record<string, unknown>) => {
      const { runPresetsValidate } = await import('../presets.js');
      await runPresetsValidate(files, opts);
    });
}
