import type { Context } from 'hono';
import { requestedOutputTokens } from '../limits/estimate.js';
import { requestHeader } from '../request/headers.js';
import type { ProxiedBody } from '../request/operations.js';
import type { PromptAnalysis } from '../request/prompt-analysis.js';
import type { RankRequest } from '../table/strategy.js';

/** What a strategy reads of one request (the proxy's and POST /v1/route/explain's, so both decide alike). */
export function rankRequest(
  c: Context,
  analysis: PromptAnalysis,
  body: ProxiedBody,
  thresholdOverride: number | undefined,
): RankRequest {
  const metadata = body.metadata;
  return {
    prompt: () => analysis.text(),
    routerOutputs: () => analysis.routerOutputs(),
    header: (name) => requestHeader(c, name),
    metadata: metadata && typeof metadata === 'object' ? (metadata as Record<string, unknown>) : undefined,
    promptTokens: (b) => analysis.tokens(b.tokenizer),
    maxOutputTokens: requestedOutputTokens(body),
    thresholdOverride,
  };
}
