import { describe, expect, it } from 'vitest';
import { samplerFromEnv } from './sampler.js';
import { startTracing, tracingWanted } from './setup.js';

describe('tracing from the OTEL_* variables', () => {
  it('is off by default and on only when an OTLP exporter is asked for', () => {
    expect(tracingWanted({})).toBe(false);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toBe(true);
    expect(tracingWanted({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(() => tracingWanted({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/not supported/);
    expect(startTracing({})).toBeUndefined();
  });

  it('refuses the gRPC protocol with a clear message, and records content only when asked', async () => {
    expect(() => startTracing({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/http\/protobuf/);
    const t = startTracing({ OTEL_TRACES_EXPORTER: 'otlp' });
    expect(t?.captureContent).toBe(false);
    await t?.shutdown();
    const c = startTracing({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' });
    expect(c?.captureContent).toBe(true);
    await c?.shutdown();
  });

  it('takes the specification’s sampler names', () => {
    expect(samplerFromEnv({}).toString()).toMatch(/ParentBased/);
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }).toString()).toMatch(/0\.25/);
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_off' }).toString()).toBe('AlwaysOffSampler');
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/not supported/);
  });
});
