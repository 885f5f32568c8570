/** The options train and eval share: the data, the router and the pair. */
export const routerDataOptions = {
  data: { type: 'string', multiple: true },
  router: { type: 'string' },
  encoder: { type: 'string' },
  strong: { type: 'string' },
  weak: { type: 'string' },
  seed: { type: 'string' },
  labels: { type: 'string' },
  'label-map': { type: 'string' },
  prices: { type: 'string' },
} as const;
