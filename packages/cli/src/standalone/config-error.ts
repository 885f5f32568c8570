/** A configuration the process cannot start with: reported as a message, not a stack trace. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
