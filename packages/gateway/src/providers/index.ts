import type { ProviderName } from '../config/route-table.js';
import { openAIProvider } from './openai/index.js';
import type { Provider } from './provider.js';

export type { Provider, Usage, UpstreamRequest } from './provider.js';

const PROVIDERS: Record<ProviderName, Provider> = {
  openai: openAIProvider,
  'openai-compatible': openAIProvider,
};

export function providerFor(name: ProviderName): Provider {
  return PROVIDERS[name];
}
