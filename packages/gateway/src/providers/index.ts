import type { ProviderName } from '../table/backend.js';
import { anthropicProvider } from './anthropic/index.js';
import { azureOpenAIProvider } from './azure-openai/index.js';
import { nimProvider, openAIProvider } from './openai/index.js';
import { tritonProvider } from './triton/index.js';
import type { Provider } from './provider.js';

export type { Provider, StreamTranslator, Usage, UpstreamRequest } from './provider.js';

const PROVIDERS: Record<ProviderName, Provider> = {
  openai: openAIProvider,
  'openai-compatible': openAIProvider,
  nim: nimProvider,
  'azure-openai': azureOpenAIProvider,
  anthropic: anthropicProvider,
  triton: tritonProvider,
};

export function providerFor(name: ProviderName): Provider {
  return PROVIDERS[name];
}
