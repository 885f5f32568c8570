import { calibrateCommand } from './calibrate-command.js';
import type { Command } from './command.js';
import { devCommand } from './dev-command.js';
import { evalCommand } from './eval-command.js';
import { labelCommand } from './label-command.js';
import { mockBackendCommand } from './mock-backend-command.js';
import { serveCommand } from './serve-command.js';
import { simulateCommand } from './simulate-command.js';
import { trainCommand } from './train-command.js';

/** Every `switchboard` command, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [
  serveCommand,
  devCommand,
  mockBackendCommand,
  labelCommand,
  trainCommand,
  evalCommand,
  simulateCommand,
  calibrateCommand,
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** `switchboard --help`: the commands and where each one's usage is. */
export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `switchboard: a Kubernetes-native LLM routing gateway

Usage: switchboard <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run "switchboard <command> --help" for a command's options.
Environment: LOG_LEVEL (info), backend keys named by routes' auth.env.
`;
}
