#!/usr/bin/env node
import { pino } from 'pino';
import { UsageError } from './cli/args.js';
import type { Command } from './cli/command.js';
import { findCommand, mainHelp } from './cli/commands.js';
import { ConfigError } from './standalone/config-error.js';

const wantsHelp = (args: readonly string[]) => args.includes('--help') || args.includes('-h');

async function main([name, ...args]: string[]): Promise<Command | undefined> {
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(mainHelp());
    return undefined;
  }
  const command = findCommand(name);
  if (!command) throw new UsageError(`unknown command "${name}"`);
  if (wantsHelp(args)) {
    process.stdout.write(command.help);
    return command;
  }
  const log = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { pid: process.pid } });
  await command.run(args, {
    log,
    progress: (line) => process.stderr.write(`${line}\n`),
    write: (text) => process.stdout.write(text),
  });
  return command;
}

const argv = process.argv.slice(2);
main(argv).catch((err: unknown) => {
  const command = findCommand(argv[0] ?? '');
  const prefix = command ? `switchboard ${command.name}` : 'switchboard';
  if (err instanceof UsageError) {
    const hint = command ? `switchboard ${command.name} --help` : 'switchboard --help';
    process.stderr.write(`${prefix}: ${err.message} (see ${hint})\n`);
  } else if (err instanceof ConfigError) {
    process.stderr.write(`switchboard: ${err.message}\n`);
  } else if (command?.dataErrors && err instanceof Error && process.env.LOG_LEVEL !== 'debug') {
    // Bad data, an unknown model, a missing label: the user's to fix, not a crash.
    process.stderr.write(`${prefix}: ${err.message}\n`);
  } else {
    process.stderr.write(`switchboard: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(2);
});
