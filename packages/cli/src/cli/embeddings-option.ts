import { usage, UsageError } from './args.js';

/** The options that name a remote encoder's server (train and eval). */
export const embeddingsOptions = {
  'embeddings-url': { type: 'string' },
  'embeddings-model': { type: 'string' },
  'embeddings-key-env': { type: 'string' },
} as const;

export const embeddingsHelp = `  --encoder remote --embeddings-url URL/v1 --embeddings-model NAME [--embeddings-key-env VAR]
                 vectors from an OpenAI-compatible /v1/embeddings server.`;

interface EmbeddingsValues {
  encoder?: string | undefined;
  'embeddings-url'?: string | undefined;
  'embeddings-model'?: string | undefined;
  'embeddings-key-env'?: string | undefined;
}

/** --embeddings-url / --embeddings-model / --embeddings-key-env: the remote encoder's server. */
export function embeddingsOption(values: EmbeddingsValues) {
  const url = values['embeddings-url'];
  const model = values['embeddings-model'];
  if (values.encoder !== 'remote') {
    if (url || model) throw new UsageError('--embeddings-url and --embeddings-model go with --encoder remote');
    return undefined;
  }
  if (url === undefined || model === undefined)
    throw new UsageError('--encoder remote needs --embeddings-url URL and --embeddings-model NAME');
  const keyEnv = values['embeddings-key-env'];
  const apiKey = keyEnv === undefined ? undefined : (process.env[keyEnv] ?? usage(`environment variable ${keyEnv} is not set`));
  return { endpoint: url, model, apiKey };
}
