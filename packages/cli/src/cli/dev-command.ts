import { nonNegative, parseOptions } from './args.js';
import type { Command } from './command.js';
import { operatorHelp, operatorOptions, operatorSettings } from './operator-options.js';

const options = {
  routes: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'api-keys': { type: 'string' },
  ...operatorOptions,
  help: { type: 'boolean', short: 'h' },
} as const;

export const devCommand: Command = {
  name: 'dev',
  summary: 'serve (no auth) plus a simulated backend on every local port the routes use',
  help: `Usage:
  switchboard dev [--routes examples/routes] [--port 8080] [--host 0.0.0.0] [--api-keys FILE]
                  [--no-console] [--admin-key-file FILE] [--capture-prompts] [--no-savings]

Like serve (without authentication unless --api-keys is given), and also
simulate every backend the routes put on http://127.0.0.1:PORT.
No network and no keys needed. The console is at /console/ (open unless an
admin key is given).
${operatorHelp}
`,
  async run(args, { log }) {
    const values = parseOptions('dev', options, args);
    const apiKeys = values['api-keys'];
    const { dev } = await import('../commands/dev.js');
    return dev(
      {
        routesDir: values.routes ?? 'examples/routes',
        port: nonNegative(values.port, 8080, 'port'),
        host: values.host ?? '0.0.0.0',
        auth: apiKeys ? { apiKeysFile: apiKeys } : 'disabled',
        operator: operatorSettings(values, true),
      },
      log,
    );
  },
};
