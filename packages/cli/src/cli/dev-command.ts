import { nonNegative, parseOptions } from './args.js';
import type { Command } from './command.js';

const options = {
  routes: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'api-keys': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const devCommand: Command = {
  name: 'dev',
  summary: 'serve (no auth) plus a simulated backend on every local port the routes use',
  help: `Usage:
  switchboard dev [--routes examples/routes] [--port 8080] [--host 0.0.0.0] [--api-keys FILE]

Like serve (without authentication unless --api-keys is given), and also
simulate every backend the routes put on http://127.0.0.1:PORT.
No network and no keys needed.
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
      },
      log,
    );
  },
};
