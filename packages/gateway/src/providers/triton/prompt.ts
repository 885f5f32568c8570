import type { CompiledBackend } from '../../table/backend.js';
import type { Operation, ProxiedBody } from '../../request/operations.js';
import { compileChatTemplate, type ChatTemplate } from './chat-template.js';

interface Part {
  type: string;
  text?: string;
}
interface Message {
  role: string;
  content?: string | Part[] | null;
}

const text = (c: Message['content']) => (typeof c === 'string' ? c : (c ?? []).map((p) => p.text ?? '').join('\n'));

const chatml = compileChatTemplate('chatml');
/** The backend's chat template (ChatML for a backend that is not Triton, which never reaches here). */
const template = (b: CompiledBackend): ChatTemplate => (b.settings.kind === 'triton' ? b.settings.chatTemplate : chatml);

/** The text prompt: chat messages through the backend's template, or a completions prompt as is. */
export function promptOf(op: Operation, body: ProxiedBody, backend: CompiledBackend): string {
  if (op.name === 'chat')
    return template(backend)((body.messages as Message[]).map((m) => ({ role: m.role, content: text(m.content) })));
  return Array.isArray(body.prompt) ? (body.prompt as unknown[]).join('') : String(body.prompt);
}
