/** One thing wrong with a route, located precisely enough to fix it. */
export interface Problem {
  /** Field path such as `spec.backends[1].provider`; empty for the whole document. */
  path: string;
  message: string;
  /** Source file, when the route came from one. */
  file?: string;
  /** 1-based line and column in the source file, when known. */
  line?: number;
  column?: number;
  /**
   * Why, for LLMRoute status conditions: ModelNameConflict, SecretNotFound,
   * SecretNotLabelled, SecretKeyMissing, BackendNotFound; absent for plain
   * validation failures.
   */
  reason?: string;
}

/** `routes/a.yaml:12:7 spec.backends[0].provider: must be one of ...` */
export function formatProblem(p: Problem): string {
  const where = p.file ? `${p.file}${p.line ? `:${p.line}:${p.column ?? 1}` : ''} ` : '';
  return `${where}${p.path ? `${p.path}: ` : ''}${p.message}`;
}
