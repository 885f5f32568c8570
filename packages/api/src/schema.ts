import { readFileSync } from 'node:fs';

/** The LLMRoute v1alpha1 JSON Schema: the single source for types, validation and the CRD. */
export const llmRouteSchema: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../schema/llmroute.v1alpha1.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

/** The API keys file schema (standalone mode; a Secret in Kubernetes). */
export const apiKeysSchema: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../schema/api-keys.v1.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

export const LLMROUTE_API_VERSION = 'switchboard.dev/v1alpha1';
export const LLMROUTE_KIND = 'LLMRoute';
