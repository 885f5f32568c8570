import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type {
  AttemptObservation,
  AttemptStart,
  RequestObservation,
  RequestObserver,
  RequestStart,
  RoutingDecision,
} from '../observe/observer.js';
import type { Usage } from '../providers/provider.js';
import { attemptAttributes, inputMessages, providerName, requestAttributes } from './attributes.js';
import type { Tracing } from './setup.js';

// No context manager: every span is given its parent explicitly, so nothing async-hooks-based runs.
const propagator = new W3CTraceContextPropagator();

/**
 * Spans for every request: one SERVER span per request (a child of the
 * client's `traceparent` when it sent one) with the GenAI attributes, one
 * INTERNAL span for the routing decision and one CLIENT span per upstream
 * attempt (retries and failovers are separate spans), whose context goes to
 * the backend as `traceparent`. Prompt and completion text only with
 * content capture on.
 */
export function tracingObserver(tracing: Tracing): RequestObserver {
  return { begin: (start) => observe(tracing, start) };
}

function observe(tracing: Tracing, start: RequestStart): RequestObservation {
  const { tracer, captureContent } = tracing;
  const carrier = { traceparent: start.header('traceparent'), tracestate: start.header('tracestate') };
  const parent = carrier.traceparent ? propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter) : ROOT_CONTEXT;
  const attributes = {
    ...requestAttributes(start.op.name, start.model, start.body),
    'switchboard.route': start.route.id,
    'switchboard.strategy': start.route.strategy.name,
    'switchboard.request_id': start.requestId,
    ...(captureContent ? { 'gen_ai.input.messages': inputMessages(start.body) } : {}),
  };
  const span = tracer.startSpan(
    `${start.op.name} ${start.model}`,
    { kind: SpanKind.SERVER, startTime: start.startedAt, attributes },
    parent,
  );
  const ctx = trace.setSpan(parent, span);
  let answer: { usage: Usage | undefined; model: string | undefined; provider: string } | undefined;
  return {
    routed: (d) => routingSpan(tracing, ctx, d),
    attempt(a) {
      return attemptSpan(tracing, ctx, start, a, (usage, model) => {
        if (a.purpose === 'answer')
          answer = { usage, model: model ?? a.backend.model, provider: providerName(a.backend.provider) };
      });
    },
    end(e) {
      span.setAttribute('http.response.status_code', e.status);
      if (e.backend) span.setAttribute('switchboard.backend', e.backend);
      if (e.decision) span.setAttribute('switchboard.decision', e.decision);
      if (e.score !== undefined && Number.isFinite(e.score)) span.setAttribute('switchboard.score', e.score);
      if (answer) {
        span.setAttributes({ 'gen_ai.response.model': answer.model ?? '', 'gen_ai.provider.name': answer.provider });
        if (answer.usage) {
          span.setAttributes({
            'gen_ai.usage.input_tokens': answer.usage.promptTokens,
            'gen_ai.usage.output_tokens': answer.usage.completionTokens,
          });
        }
      }
      if (e.status >= 400) span.setAttribute('error.type', String(e.status));
      if (e.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}

function routingSpan(tracing: Tracing, ctx: Context, d: RoutingDecision): void {
  const span = tracing.tracer.startSpan(
    `routing ${d.strategy}`,
    {
      kind: SpanKind.INTERNAL,
      startTime: d.startedAt,
      attributes: {
        'switchboard.strategy': d.strategy,
        'switchboard.ranking': d.ranking.map((b) => b.name),
        'switchboard.asked_model': d.asked,
        ...(d.ranking[0] ? { 'switchboard.backend': d.ranking[0].name } : {}),
        ...(d.decision ? { 'switchboard.decision': d.decision } : {}),
        ...(d.decision?.startsWith('rule:') ? { 'switchboard.rule': d.decision.slice(5) } : {}),
        ...(d.score !== undefined && Number.isFinite(d.score) ? { 'switchboard.score': d.score } : {}),
        ...(d.skipped.length ? { 'switchboard.skipped': d.skipped.map((s) => `${s.backend}:${s.reason}`) } : {}),
      },
    },
    ctx,
  );
  span.end(d.endedAt);
}

function attemptSpan(
  tracing: Tracing,
  ctx: Context,
  start: RequestStart,
  a: AttemptStart,
  onAnswer: (usage: Usage | undefined, model: string | undefined) => void,
): AttemptObservation {
  const span: Span = tracing.tracer.startSpan(
    `${start.op.name} ${a.backend.model}`,
    { kind: SpanKind.CLIENT, attributes: attemptAttributes(start.op.name, a.backend, a.attempt, a.purpose) },
    ctx,
  );
  const headers: Record<string, string> = {};
  propagator.inject(trace.setSpan(ctx, span), headers, defaultTextMapSetter);
  let usage: Usage | undefined;
  return {
    headers,
    settled(u) {
      usage = u;
      if (u)
        span.setAttributes({ 'gen_ai.usage.input_tokens': u.promptTokens, 'gen_ai.usage.output_tokens': u.completionTokens });
    },
    end(e) {
      span.setAttribute('http.response.status_code', e.status);
      span.setAttribute('switchboard.outcome', e.outcome);
      if (e.reason) span.setAttribute('switchboard.retry_reason', e.reason);
      if (e.responseModel) span.setAttribute('gen_ai.response.model', e.responseModel);
      if (e.outcome === 'answered') {
        onAnswer(usage, e.responseModel);
        if (tracing.captureContent && e.completion) {
          span.setAttribute('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', content: e.completion() }]));
        }
      } else {
        span.setAttribute('error.type', e.outcome === 'client_closed' ? 'client_closed' : String(e.status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
  };
}
