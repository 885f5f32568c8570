// Renders the LLMRoute CustomResourceDefinition from the JSON Schema (the
// one source of truth) into charts/switchboard-crds/templates/. CI
// regenerates it and fails on drift. Structural-schema rules applied:
// references inlined, `const` -> one-value enum, `additionalProperties:
// false` dropped (the API server prunes unknown fields instead),
// `additionalProperties: true` -> x-kubernetes-preserve-unknown-fields,
// `uniqueItems` -> x-kubernetes-list-type: set; the schema's
// `x-kubernetes-validations` (CEL) are kept as they are.
import { readFile, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

const root = new URL('../../../', import.meta.url);
const schema = JSON.parse(await readFile(new URL('packages/api/schema/llmroute.v1alpha1.json', root), 'utf8'));
const DROP = new Set(['$schema', '$id', 'definitions', 'title']);

function structural(node) {
  if (Array.isArray(node)) return node.map(structural);
  if (!node || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') {
    const { $ref, ...rest } = node;
    const target = schema.definitions[$ref.split('/').pop()];
    return structural({ ...target, ...rest });
  }
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROP.has(key)) continue;
    if (key === 'const') out.enum = [value];
    else if (key === 'additionalProperties') {
      if (value === true) out['x-kubernetes-preserve-unknown-fields'] = true;
      else if (typeof value === 'object') out.additionalProperties = structural(value);
    } else if (key === 'uniqueItems') {
      if (value) out['x-kubernetes-list-type'] = 'set';
    } else if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, structural(v)]));
    } else out[key] = structural(value);
  }
  return out;
}

const spec = structural(schema.properties.spec);
const status = structural(schema.properties.status);

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: {
    name: 'llmroutes.switchboard.dev',
    labels: { 'app.kubernetes.io/name': 'switchboard', 'app.kubernetes.io/component': 'crds' },
  },
  spec: {
    group: 'switchboard.dev',
    scope: 'Namespaced',
    names: { kind: 'LLMRoute', listKind: 'LLMRouteList', plural: 'llmroutes', singular: 'llmroute', shortNames: ['llmr'] },
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Strategy', type: 'string', jsonPath: '.spec.routing.strategy' },
          { name: 'Backends', type: 'string', jsonPath: '.spec.backends[*].name' },
          { name: 'Accepted', type: 'string', jsonPath: '.status.conditions[?(@.type=="Accepted")].status' },
          { name: 'Programmed', type: 'string', jsonPath: '.status.conditions[?(@.type=="Programmed")].status' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description: schema.description,
            required: ['spec'],
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec,
              status,
            },
          },
        },
      },
    ],
  },
};

const header =
  '# Generated from packages/api/schema/llmroute.v1alpha1.json by packages/api/scripts/generate-crd.js. Do not edit.\n';
await writeFile(
  new URL('charts/switchboard-crds/templates/llmroutes.switchboard.dev.yaml', root),
  header + stringify(crd, { lineWidth: 0 }),
);
