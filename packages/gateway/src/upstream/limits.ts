/** Bounds on what a backend may send, so that no answer can exhaust the gateway's memory. */
export interface UpstreamLimits {
  /** Largest non-streaming answer read from a backend, in bytes (502 beyond). */
  maxResponseBytes: number;
  /** Longest line of a backend's event stream, in bytes (the stream is ended with an error beyond). */
  maxSseLineBytes: number;
}

export const DEFAULT_UPSTREAM_LIMITS: UpstreamLimits = {
  maxResponseBytes: 64 * 1024 * 1024,
  maxSseLineBytes: 4 * 1024 * 1024,
};
