import { nonNegative, parseOptions, usage, UsageError } from './args.js';
import type { Command } from './command.js';

const options = {
  router: { type: 'string' },
  prompts: { type: 'string' },
  'target-strong-fraction': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const calibrateCommand: Command = {
  name: 'calibrate',
  summary: 'the threshold that sends a given share of prompts to the strong model',
  dataErrors: true,
  help: `Usage:
  switchboard calibrate --router PATH_OR_NAME --prompts FILE --target-strong-fraction 0.3 [--json]

The threshold that sends that share of the prompts (JSON Lines with a "prompt"
field, or one prompt per line) to the strong model. A line with "messages"
(a sampled chat request) is scored with its conversation's turns, as the
gateway scored it.
`,
  async run(args, { write }) {
    const v = parseOptions('calibrate', options, args);
    const share = nonNegative(v['target-strong-fraction'], NaN, 'target-strong-fraction');
    if (!(share >= 0 && share <= 1)) throw new UsageError('calibrate needs --target-strong-fraction between 0 and 1');
    // Loaded on use: `--help` and mistakes answer without loading the native module.
    const { runCalibrate } = await import('../commands/route-calibrate.js');
    const { threshold, prompts } = runCalibrate(
      v.router ?? usage('calibrate needs --router PATH_OR_NAME'),
      v.prompts ?? usage('calibrate needs --prompts FILE'),
      share,
    );
    write(
      v.json
        ? `${JSON.stringify({ threshold, targetStrongFraction: share, prompts })}\n`
        : `threshold ${threshold} sends ${(share * 100).toFixed(1)}% of ${prompts} prompts to the strong model\n`,
    );
  },
};
