import { baseHeaders, openAIProvider, serialize } from '../openai/index.js';
import type { Provider } from '../provider.js';

export const AZURE_DEFAULT_API_VERSION = '2024-10-21';

/**
 * Azure OpenAI: the OpenAI wire format under deployment URLs
 * (`/openai/deployments/{deployment}/chat/completions?api-version=...`),
 * authenticated with an `api-key` header. The backend's `model` is the
 * deployment name; the body's `model` is dropped (the URL names it).
 * Responses API requests go to `/openai/v1/responses` with the deployment as `model`.
 */
export const azureOpenAIProvider: Provider = {
  ...openAIProvider,
  buildRequest(op, backend, body, requestId) {
    const headers = baseHeaders(backend, body, requestId);
    if (backend.apiKey) headers['api-key'] = backend.apiKey;
    const base = backend.baseUrl.pathname.replace(/\/$/, '');
    // The Responses API lives under Azure's v1 API, which names the deployment in the body.
    if (op.path === 'responses') {
      return { path: `${base}/openai/v1/responses`, headers, body: serialize({ ...body, model: backend.model }) };
    }
    const version = encodeURIComponent(
      backend.settings.kind === 'azure-openai' ? backend.settings.apiVersion : AZURE_DEFAULT_API_VERSION,
    );
    const rest: Record<string, unknown> = { ...body };
    delete rest.model;
    return {
      path: `${base}/openai/deployments/${encodeURIComponent(backend.model)}/${op.path}?api-version=${version}`,
      headers,
      body: serialize(rest),
    };
  },
};
