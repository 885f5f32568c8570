/** A JSON object (not null, not an array): what request and answer bodies are read as. */
export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
