import { describe, expect, it } from 'vitest';
import { statusError } from './errors.js';

const ANTHROPIC_OVERLOADED = JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });

describe('statusError', () => {
  it("maps Anthropic's 529 to the gateway's overload (503), keeping the backend's message and Retry-After", () => {
    const err = statusError(529, ANTHROPIC_OVERLOADED, 'claude', '7');
    expect([err.status, err.type, err.code]).toEqual([503, 'upstream_error', 'upstream_overloaded']);
    expect(err.message).toBe('Backend "claude" is overloaded: Overloaded');
    expect(err.headers).toEqual({ 'retry-after': '7' });
    expect(statusError(529, ANTHROPIC_OVERLOADED, 'claude', undefined).headers).toEqual({});
  });

  it('keeps every other backend failure a 502', () => {
    for (const status of [404, 500, 502, 503, 504]) {
      const err = statusError(status, '{"error":{"message":"boom"}}', 'b', undefined);
      expect([err.status, err.code]).toEqual([502, 'upstream_error']);
    }
  });
});
