/* Generated from schema/api-keys.v1.json by scripts/generate-types.js. Do not edit. */

/**
 * The gateway's callers: API keys (stored as SHA-256 hashes, never in clear), the tenant each belongs to, what it may use, and limits per key and per tenant.
 */
export interface ApiKeys {
  /**
   * @maxItems 100000
   */
  keys: ApiKey[];
  /**
   * Limits and budgets shared by all keys of a tenant.
   */
  tenants?: {
    [k: string]: Tenant;
  };
}
export interface ApiKey {
  /**
   * Label shown in logs and errors instead of the key.
   */
  name: string;
  /**
   * Tenant the key belongs to.
   */
  tenant: string;
  /**
   * Hex SHA-256 of the key: `printf %s "$KEY" | sha256sum`.
   */
  sha256: string;
  /**
   * Routes the key may use: route ids (namespace/name), model names, * for all, or bare route names — a bare name means that route in the default namespace (where standalone routes live), not the same name in every namespace: in Kubernetes, list route ids.
   *
   * @maxItems 1000
   */
  routes?: string[];
  limits?: RateLimits;
}
/**
 * Limits of this key alone.
 */
export interface RateLimits {
  /**
   * Requests admitted per minute.
   */
  requestsPerMinute?: number;
  /**
   * Prompt plus completion tokens per minute.
   */
  tokensPerMinute?: number;
}
export interface Tenant {
  limits?: RateLimits1;
  budget?: Budget;
}
/**
 * Limits of all the tenant's keys together.
 */
export interface RateLimits1 {
  /**
   * Requests admitted per minute.
   */
  requestsPerMinute?: number;
  /**
   * Prompt plus completion tokens per minute.
   */
  tokensPerMinute?: number;
}
/**
 * Spend allowed per period (UTC calendar hour, day or month), in the currency of the routes' prices, computed from usage and backend prices. A request is refused once the period's spend has reached the amount.
 */
export interface Budget {
  /**
   * Spend allowed per period.
   */
  amount: number;
  /**
   * Budget period.
   */
  period: 'hour' | 'day' | 'month';
}
