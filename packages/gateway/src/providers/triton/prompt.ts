import type { CompiledBackend } from '../../config/route-table.js';
import type { Operation, ProxiedBody } from '../../request/operations.js';

interface Part {
  type: string;
  text?: string;
}
interface Message {
  role: string;
  content?: string | Part[] | null;
}

const text = (c: Message['content']) => (typeof c === 'string' ? c : (c ?? []).map((p) => p.text ?? '').join('\n'));

/** The text prompt: chat messages through the backend's template, or a completions prompt as is. */
export function promptOf(op: Operation, body: ProxiedBody, backend: CompiledBackend): string {
  if (op.name === 'chat')
    return backend.chatTemplate((body.messages as Message[]).map((m) => ({ role: m.role, content: text(m.content) })));
  return Array.isArray(body.prompt) ? (body.prompt as unknown[]).join('') : String(body.prompt);
}
