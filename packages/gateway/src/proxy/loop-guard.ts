import { badRequest, GatewayError } from '../errors.js';

/**
 * How many gateways a request has passed through. Every call the gateway
 * makes to a backend carries the incoming depth plus one, so a route whose
 * backend is the gateway itself (by mistake, or a route author's on
 * purpose) ends after a few rounds instead of recursing until every
 * upstream connection (256 per origin) is held for the route's timeouts.
 */
export const DEPTH_HEADER = 'x-switchboard-depth';

/** Gateways chained on purpose (an edge gateway in front of a cluster one) stay far below this. */
export const MAX_GATEWAY_DEPTH = 8;

/** The incoming request's depth: 0 without the header; refused (400 / 508) when malformed or too deep. */
export function requestDepth(header: string | undefined): number {
  if (header === undefined) return 0;
  if (!/^[0-9]{1,3}$/.test(header.trim())) {
    throw badRequest(`${DEPTH_HEADER} must be a small non-negative integer.`, 'invalid_header', DEPTH_HEADER);
  }
  const depth = Number(header.trim());
  if (depth >= MAX_GATEWAY_DEPTH) {
    throw new GatewayError(
      508,
      'invalid_request_error',
      `This request has passed through ${depth} gateways (${DEPTH_HEADER}); the limit is ${MAX_GATEWAY_DEPTH}. A route's backend probably points back at the gateway.`,
      { code: 'loop_detected' },
    );
  }
  return depth;
}

// One object per depth, made once: the hot path allocates nothing for it.
const DEPTH_HEADERS: readonly Readonly<Record<string, string>>[] = Array.from({ length: MAX_GATEWAY_DEPTH }, (_, depth) =>
  Object.freeze({ [DEPTH_HEADER]: String(depth + 1) }),
);

/** The headers every call to a backend made for a request at `depth` (below MAX_GATEWAY_DEPTH) carries. */
export const depthHeaders = (depth: number): Readonly<Record<string, string>> =>
  DEPTH_HEADERS[depth] ?? { [DEPTH_HEADER]: String(depth + 1) };
