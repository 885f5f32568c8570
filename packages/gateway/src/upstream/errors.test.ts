import { describe, expect, it } from 'vitest';
import { scrub, statusError } from './errors.js';

const ANTHROPIC_OVERLOADED = JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });

describe('statusError', () => {
  it("maps Anthropic's 529 to the gateway's overload (503), keeping the backend's message and Retry-After", () => {
    const err = statusError(529, ANTHROPIC_OVERLOADED, 'claude', '7');
    expect([err.status, err.type, err.code]).toEqual([503, 'upstream_error', 'upstream_overloaded']);
    expect(err.message).toBe('Backend "claude" is overloaded: Overloaded');
    expect(err.headers).toEqual({ 'retry-after': '7' });
    expect(statusError(529, ANTHROPIC_OVERLOADED, 'claude', undefined).headers).toEqual({});
  });

  it("passes a backend's own 503 on as the gateway's overload, with its Retry-After", () => {
    const err = statusError(503, '{"error":{"message":"model is loading"}}', 'nim', '30');
    expect([err.status, err.type, err.code]).toEqual([503, 'upstream_error', 'upstream_overloaded']);
    expect(err.message).toBe('Backend "nim" is unavailable (HTTP 503): model is loading');
    expect(err.headers).toEqual({ 'retry-after': '30' });
  });

  it('keeps every other backend failure a 502', () => {
    for (const status of [404, 500, 502, 504]) {
      const err = statusError(status, '{"error":{"message":"boom"}}', 'b', undefined);
      expect([err.status, err.code]).toEqual([502, 'upstream_error']);
    }
  });
});

describe('scrub', () => {
  it('removes the secrets it is given, wherever they are, and nothing shorter than 8 characters', () => {
    expect(scrub('key=Zq9-internal-credential; again Zq9-internal-credential', ['Zq9-internal-credential', 'on'])).toBe(
      'key=[redacted]; again [redacted]',
    );
  });

  it('removes credentials by their shape: bearer tokens, sk-/sk-ant-/sk-proj- keys, org- and proj- ids', () => {
    expect(
      scrub(
        'Authorization: Bearer abc.def-123, keys sk-ant-api03-AAAAAAAAAA and sk-proj-BBBBBBBBBB, org-CCCCCCCCCCCC proj_x',
        [],
      ),
    ).toBe('Authorization: Bearer [redacted], keys sk-[redacted] and sk-[redacted], org-[redacted] proj_x');
    expect(scrub('a task-list of org-chart items', [])).toBe('a task-list of org-chart items');
  });

  it('is applied to every backend message a client may see', () => {
    const err = statusError(400, '{"error":{"message":"bad key tok_Zq9-internal-credential"}}', 'b', undefined, [
      'tok_Zq9-internal-credential',
    ]);
    expect(err.message).toBe('bad key [redacted]');
  });
});
