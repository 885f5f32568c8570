import { useState } from 'preact/hooks';
import { getJson, postJson, Unauthorized } from '../api.js';
import { ExplanationView } from '../components/explanation.js';
import { count, money, ms } from '../format.js';
import { usePoll } from '../hooks.js';
import type { Comparison, Explanation, Overview } from '../types.js';

interface Answer {
  backend: string | null;
  decision: string | null;
  text: string;
}

/** The request body the form describes: a prompt, or a pasted chat (a messages array or a whole body). */
function bodyOf(model: string, prompt: string, chat: string, maxTokens: string): Record<string, unknown> {
  const max = Number(maxTokens);
  const extra = max > 0 ? { max_tokens: max } : {};
  if (!chat.trim()) return { model, messages: [{ role: 'user', content: prompt }], ...extra };
  const pasted = JSON.parse(chat) as unknown;
  const messages = Array.isArray(pasted) ? pasted : (pasted as { messages?: unknown }).messages;
  if (!Array.isArray(messages)) throw new Error('Paste a messages array, or a chat completions body with "messages".');
  return { model, messages, ...extra };
}

/** `name: value` lines as headers (x-tier for rules, x-switchboard-preference for predictive routes). */
function headersOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

function completionText(json: unknown): string {
  const choice = (json as { choices?: { message?: { content?: unknown } }[] }).choices?.[0];
  return typeof choice?.message?.content === 'string' ? choice.message.content : JSON.stringify(json);
}

/** Type a prompt, pick a route, see why the gateway would pick a backend; then send it, or compare two backends. */
export function PlaygroundPage({ onUnauthorized }: { onUnauthorized: () => void }) {
  const overview = usePoll(() => getJson<Overview>('/console/api/overview'), 0, [], onUnauthorized);
  const routes = overview.data?.routes ?? [];
  const [model, setModel] = useState('');
  const [prompt, setPrompt] = useState('');
  const [chat, setChat] = useState('');
  const [maxTokens, setMaxTokens] = useState('');
  const [headers, setHeaders] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [pair, setPair] = useState(['', '']);
  const [explained, setExplained] = useState<Explanation | undefined>(undefined);
  const [answer, setAnswer] = useState<Answer | undefined>(undefined);
  const [compared, setCompared] = useState<Comparison | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const chosenModel = model || routes[0]?.models[0] || '';
  const route = routes.find((r) => r.models.includes(chosenModel));
  const run = (what: () => Promise<void>) => {
    setError(undefined);
    what().catch((err: unknown) => (err instanceof Unauthorized ? onUnauthorized() : setError((err as Error).message)));
  };
  const body = () => bodyOf(chosenModel, prompt, chat, maxTokens);
  const explain = () =>
    run(async () => setExplained((await postJson<Explanation>('/console/api/explain', body(), headersOf(headers))).json));
  const send = () =>
    run(async () => {
      const res = await postJson<unknown>('/v1/chat/completions', body(), headersOf(headers), apiKey);
      setAnswer({
        backend: res.headers.get('x-switchboard-backend'),
        decision: res.headers.get('x-switchboard-decision'),
        text: completionText(res.json),
      });
    });
  const compare = () =>
    run(async () => {
      const names = pair.filter(Boolean).join(',');
      setCompared(
        (await postJson<Comparison>(`/console/api/compare?backends=${encodeURIComponent(names)}`, body(), headersOf(headers)))
          .json,
      );
    });
  return (
    <>
      <h1>Playground</h1>
      {overview.error ? <p role="alert">{overview.error}</p> : null}
      <form class="playground" onSubmit={(e) => (e.preventDefault(), explain())}>
        <label>
          Route (model)
          <select name="model" value={chosenModel} onChange={(e) => setModel((e.target as HTMLSelectElement).value)}>
            {routes.flatMap((r) =>
              r.models.map((m) => (
                <option key={`${r.id}:${m}`} value={m}>
                  {m} ({r.id}, {r.strategy})
                </option>
              )),
            )}
          </select>
        </label>
        <label>
          Prompt
          <textarea name="prompt" rows={4} value={prompt} onInput={(e) => setPrompt((e.target as HTMLTextAreaElement).value)} />
        </label>
        <details>
          <summary>Paste a chat instead, add headers, limit tokens</summary>
          <label>
            Chat (a messages array or a whole body; replaces the prompt)
            <textarea name="chat" rows={4} value={chat} onInput={(e) => setChat((e.target as HTMLTextAreaElement).value)} />
          </label>
          <label>
            Request headers, one "name: value" a line
            <textarea
              name="headers"
              rows={2}
              value={headers}
              onInput={(e) => setHeaders((e.target as HTMLTextAreaElement).value)}
            />
          </label>
          <label>
            max_tokens
            <input
              name="max_tokens"
              inputMode="numeric"
              value={maxTokens}
              onInput={(e) => setMaxTokens((e.target as HTMLInputElement).value)}
            />
          </label>
        </details>
        <div class="row">
          <button type="submit">Explain</button>
          <label>
            API key for real requests (empty without auth)
            <input
              name="api-key"
              type="password"
              autoComplete="off"
              value={apiKey}
              onInput={(e) => setApiKey((e.target as HTMLInputElement).value)}
            />
          </label>
          <button type="button" onClick={send}>
            Send for real
          </button>
        </div>
        <fieldset class="row">
          <legend>Compare two backends of {route?.id ?? 'the route'}</legend>
          {[0, 1].map((i) => (
            <label key={i}>
              Backend {i + 1}{' '}
              <select
                name={`compare-${i}`}
                value={pair[i]}
                onChange={(e) => setPair(pair.map((p, j) => (j === i ? (e.target as HTMLSelectElement).value : p)))}
              >
                <option value="">—</option>
                {route?.backends.map((b) => (
                  <option key={b.name} value={b.name}>
                    {b.name}
                  </option>
                ))}
              </select>
            </label>
          ))}
          <button type="button" onClick={compare} disabled={!pair[0] || !pair[1]}>
            Compare
          </button>
        </fieldset>
      </form>
      {error ? <p role="alert">{error}</p> : null}
      {explained ? <ExplanationView x={explained} /> : null}
      {answer ? (
        <section class="card" aria-labelledby="answer">
          <h2 id="answer">
            Answered by <output data-testid="answered">{answer.backend ?? '?'}</output>
            {answer.decision ? ` (decision ${answer.decision})` : ''}
          </h2>
          <p class="answer">{answer.text}</p>
        </section>
      ) : null}
      {compared ? (
        <section class="compare" aria-label="Side by side">
          {compared.answers.map((a) => (
            <article class="card" key={a.backend}>
              <h2>{a.backend}</h2>
              <p class="muted">
                <code>{a.model}</code> · {ms(a.latencyMs)}
                {a.usage
                  ? ` · ${count(a.usage.promptTokens)} / ${count(a.usage.completionTokens)} tokens · ${money(a.cost)}`
                  : ''}
              </p>
              {a.error ? <p role="alert">{a.error}</p> : <p class="answer">{a.text}</p>}
            </article>
          ))}
        </section>
      ) : null}
    </>
  );
}
