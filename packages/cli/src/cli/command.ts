import type { Logger } from 'pino';

/** What a command gets besides its arguments. */
export interface CommandContext {
  log: Logger;
  /** Progress and notes for a person (stderr). */
  progress: (line: string) => void;
  /** The command's result (stdout). */
  write: (text: string) => void;
}

/** One `switchboard <name>` command: it owns its options, their parsing and its help. */
export interface Command {
  name: string;
  /** One line for `switchboard --help`. */
  summary: string;
  /** The whole usage text for `switchboard <name> --help`. */
  help: string;
  /** Errors from reading data files are the user's to fix: shown as a message, not a stack. */
  dataErrors?: boolean;
  run(args: string[], ctx: CommandContext): Promise<void>;
}
