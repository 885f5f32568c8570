import { Ajv, type Options } from 'ajv';

/**
 * An ajv instance for Switchboard's schemas: strict, plus the
 * `x-kubernetes-validations` annotation (CEL rules that only the CRD
 * enforces; the standalone validators check the same rules in code).
 */
export function createAjv(options: Options): Ajv {
  const ajv = new Ajv({ strict: true, ...options });
  ajv.addKeyword({ keyword: 'x-kubernetes-validations', schemaType: 'array' });
  return ajv;
}
