import { readFile, stat } from 'node:fs/promises';
import { formatProblem, loadRoutesFromYaml, type Problem } from '@switchboard/api';
import {
  Configurator,
  defaultFactories,
  DEFAULT_UPSTREAM_LIMITS,
  GrpcTransport,
  HttpTransport,
  MemoryLearningStore,
  RouteTableStore,
  standaloneSecrets,
  TableBuilder,
  Transports,
  type RouteSource,
  type RouteTable,
} from '@switchboard/gateway';
import type { Logger } from 'pino';
import { ConfigError } from '../standalone/config-error.js';
import { RoutesDirectory } from '../standalone/routes-dir.js';
import type { Ask } from './call.js';

/** The routes as the gateway would serve them (plan and build), and the way it calls a backend. */
export interface LoadedRoutes {
  table: RouteTable;
  ask: Ask;
  close(): Promise<void>;
}

const invalid = (problems: Problem[]) =>
  new ConfigError(`routes rejected:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);

/**
 * A routes folder (or one route file) compiled and built exactly as `serve`
 * does — credentials from the environment or files the routes name, the
 * real transports — so labelling calls each backend through its real API.
 */
export async function loadRoutes(path: string, log: Logger): Promise<LoadedRoutes> {
  const transports = new Transports({
    http: new HttpTransport({ maxResponseBytes: DEFAULT_UPSTREAM_LIMITS.maxResponseBytes }),
    grpc: new GrpcTransport({ maxResponseBytes: DEFAULT_UPSTREAM_LIMITS.maxResponseBytes, log }),
  });
  const factories = defaultFactories({ learning: new MemoryLearningStore(), transports, log });
  const store = new RouteTableStore();
  const configurator = new Configurator(store, new TableBuilder(factories), () => undefined);
  let sources: RouteSource[];
  if ((await stat(path)).isDirectory()) {
    const read = await new RoutesDirectory(path, configurator, log).read();
    if (!read.ok) throw invalid(read.problems);
    sources = read.sources;
  } else {
    const loaded = loadRoutesFromYaml(await readFile(path, 'utf8'), path);
    if (loaded.problems.length) throw invalid(loaded.problems);
    sources = loaded.routes;
  }
  const outcome = await configurator.apply(sources, standaloneSecrets(), 'whole');
  if (outcome.problems.length) throw invalid(outcome.problems);
  return { table: outcome.table, ask: factories.ask, close: () => transports.close() };
}

/** A route by its name (`name` or `namespace/name`) or one of its model names; the only route when `name` is absent. */
export function findRoute(table: RouteTable, name: string | undefined) {
  if (name === undefined) {
    if (table.routes.length === 1) return table.routes[0] as RouteTable['routes'][number];
    throw new ConfigError(
      `the routes define ${table.routes.length} routes: name one with --route (${table.routes.map((r) => r.id).join(', ')})`,
    );
  }
  const route = table.routes.find((r) => r.id === name || r.id === `default/${name}`) ?? table.byModel.get(name);
  if (!route) throw new ConfigError(`no route "${name}" (routes: ${table.routes.map((r) => r.id).join(', ')})`);
  return route;
}
