import { randomBytes } from 'node:crypto';
import type { MessagesRequest } from './schema.js';

/** An id in Anthropic's style (`msg_…`, `toolu_…`); random, so ids say nothing about each other. */
export const newId = (prefix: string): string => `${prefix}_${randomBytes(12).toString('hex')}`;

/** One Messages request on its way: what the client sent, and the headers its body was written for. */
export interface MessagesCall {
  request: MessagesRequest;
  /** The client's anthropic-version and anthropic-beta, forwarded with a passed-through request. */
  anthropicHeaders: Readonly<Record<string, string>>;
}
