import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { samplerFromEnv } from './sampler.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A running trace pipeline: the tracer the observer uses, and its shutdown (flushes what is queued). */
export interface Tracing {
  tracer: Tracer;
  /** Record prompt and completion text in spans (off unless enabled). */
  captureContent: boolean;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

const truthy = (v: string | undefined) => v !== undefined && ['1', 'true', 'yes'].includes(v.trim().toLowerCase());

/**
 * Whether the standard variables ask for traces: off by default; on with
 * OTEL_TRACES_EXPORTER=otlp, or when an OTLP endpoint is set and
 * OTEL_TRACES_EXPORTER is not `none`; always off with OTEL_SDK_DISABLED=true.
 */
export function tracingWanted(env: Env): boolean {
  if (truthy(env.OTEL_SDK_DISABLED)) return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (exporter === 'none') return false;
  if (exporter === 'otlp') return true;
  if (exporter) throw new Error(`OTEL_TRACES_EXPORTER="${exporter}" is not supported: use otlp or none`);
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

function exporterFor(env: Env): SpanExporter {
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').trim();
  // The exporters read their endpoint, headers, timeout and compression from OTEL_EXPORTER_OTLP_* themselves.
  if (protocol === 'http/protobuf') return new OtlpProto();
  if (protocol === 'http/json') return new OtlpJson();
  throw new Error(`OTLP protocol "${protocol}" is not supported for traces: use http/protobuf (port 4318) or http/json`);
}

/**
 * Starts the OTLP trace pipeline when the environment asks for it
 * (tracingWanted); undefined otherwise, and then nothing of OpenTelemetry
 * runs per request. Service name: OTEL_SERVICE_NAME, else "switchboard";
 * resource attributes from OTEL_RESOURCE_ATTRIBUTES; sampler from
 * OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (default parentbased_always_on).
 */
export function startTracing(env: Env, opts: { captureContent?: boolean } = {}): Tracing | undefined {
  if (!tracingWanted(env)) return undefined;
  const detected = detectResources({ detectors: [envDetector] });
  const resource = resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? 'switchboard' }).merge(detected);
  const provider = new TracerProvider({
    resource,
    sampler: samplerFromEnv(env),
    spanProcessors: [new BatchSpanProcessor({ exporter: exporterFor(env) })],
  });
  return {
    tracer: provider.getTracer('switchboard'),
    captureContent: Boolean(opts.captureContent) || truthy(env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT),
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
