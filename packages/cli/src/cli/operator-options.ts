import { readFileSync } from 'node:fs';
import type { OperatorOptions } from '../operator-views.js';
import { UsageError, type OptionValues } from './args.js';

/** The options serve and dev share for what operators see. */
export const operatorOptions = {
  console: { type: 'boolean' },
  'no-console': { type: 'boolean' },
  'admin-key-file': { type: 'string' },
  'capture-prompts': { type: 'boolean' },
  'no-savings': { type: 'boolean' },
} as const;

export const operatorHelp = `  --console              serve the web console at /console/ (needs an admin key;
                         on by default in dev, --no-console turns it off).
  --admin-key-file FILE  the admin key (or SWITCHBOARD_ADMIN_KEY): the console, and
                         every tenant's GET /v1/savings.
  --capture-prompts      show prompt text in the console's live view and record
                         prompts and completions in trace spans (off by default).
  --no-savings           do not count savings (GET /v1/savings answers 404).
  Traces: OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_TRACES_EXPORTER=otlp)
  is set; the other OTEL_* variables as the OpenTelemetry specification defines them.`;

/** The admin key from the file, else from SWITCHBOARD_ADMIN_KEY; undefined when neither. */
function adminKey(file: string | undefined): string | undefined {
  if (file === undefined) return process.env.SWITCHBOARD_ADMIN_KEY?.trim() || undefined;
  let key: string;
  try {
    key = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new UsageError(`--admin-key-file ${file}: ${(err as Error).message}`);
  }
  if (key.length < 16) throw new UsageError(`--admin-key-file ${file}: the key must be at least 16 characters`);
  return key;
}

/** The operator settings of a command line; `dev` turns the console on unless --no-console. */
export function operatorSettings(values: OptionValues<typeof operatorOptions>, dev: boolean): OperatorOptions {
  if (values.console && values['no-console']) throw new UsageError('--console and --no-console exclude each other');
  return {
    console: dev ? !values['no-console'] : Boolean(values.console),
    adminKey: adminKey(values['admin-key-file']),
    dev,
    capturePrompts: Boolean(values['capture-prompts']),
    savings: !values['no-savings'],
  };
}
