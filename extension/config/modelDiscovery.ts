import { describeError, isOrchestraError } from '../engine/util/errors';
import { KiloHttp, type FetchFunction, type KiloEndpoint, type KiloProviders } from '../kilo/kiloHttp';
import { kiloDefaultModel, modelChoices, type KiloDefaultChoice } from '../kilo/kiloModels';
import { KiloServer } from '../kilo/kiloServer';
import type { DiscoveredModel } from '../protocol/rolesView';
import { priceFromKilo } from './modelPrices';

/** What discovery found: the models, or why there are none. */
export interface Discovery {
  models: DiscoveredModel[];
  problem?: string;
  /** The model Kilo runs a role nobody assigned on (its `model` setting, else its own default). */
  defaultModel?: KiloDefaultChoice;
}

/** A short-lived Kilo server just for listing models. */
export interface DiscoveryServer {
  start(): Promise<KiloEndpoint>;
  dispose(): Promise<void>;
}

export interface ModelDiscoveryOptions {
  /** Where the `kilo` binary is; asked only when a server has to be started. */
  binaryPath: () => Promise<string>;
  /** The working directory Kilo reads its project config from (the workspace). */
  cwd: string;
  /** The live run's Kilo server, when one is up: asked instead of starting another. */
  liveConnection?: () => KiloEndpoint | undefined;
  /** Starts a server for one query (default: a `KiloServer`); tests pass a fake. */
  startServer?: (binary: string, cwd: string) => DiscoveryServer;
  fetch?: FetchFunction;
  log?: (line: string) => void;
}

/**
 * Lists the models Kilo can run, with their prices where Kilo knows them, for the roles tab. Uses
 * the live run's server when there is one; otherwise starts a private server on first use and stops
 * it right after. The result is cached until `refresh`. Never throws: a failure becomes `problem`.
 */
export class ModelDiscovery {
  private cache: Discovery | undefined;
  private pending: Promise<Discovery> | undefined;

  constructor(private readonly options: ModelDiscoveryOptions) {}

  /** The cached result, if discovery has run. */
  cached(): Discovery | undefined {
    return this.cache;
  }

  /** The cached result, or the first query's. */
  models(): Promise<Discovery> {
    if (this.cache) return Promise.resolve(this.cache);
    return this.query();
  }

  /** Asks Kilo again. */
  refresh(): Promise<Discovery> {
    this.cache = undefined;
    return this.query();
  }

  private query(): Promise<Discovery> {
    this.pending ??= this.discover()
      .then((result) => (this.cache = result))
      .finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async discover(): Promise<Discovery> {
    const live = this.options.liveConnection?.();
    if (live) {
      try {
        return await this.list(live);
      } catch (error) {
        this.options.log?.(`models: the running Kilo server could not list models (${describeError(error)}); starting a private one.`);
      }
    }
    let server: DiscoveryServer | undefined;
    try {
      const binary = await this.options.binaryPath();
      server = (this.options.startServer ?? defaultServer)(binary, this.options.cwd);
      return await this.list(await server.start());
    } catch (error) {
      this.options.log?.(`models: discovery failed: ${describeError(error)}`);
      return { models: [], problem: problemWords(error) };
    } finally {
      await server?.dispose().catch((error: unknown) => this.options.log?.(`models: could not stop the discovery server: ${describeError(error)}`));
    }
  }

  private async list(endpoint: KiloEndpoint): Promise<Discovery> {
    const http = new KiloHttp({ connection: () => endpoint, directory: this.options.cwd, ...(this.options.fetch ? { fetch: this.options.fetch } : {}) });
    const providers = await http.providers();
    // An older server without GET /config still lists its models.
    const configured = await http.defaultModelRef().catch(() => undefined);
    const defaultModel = kiloDefaultModel(configured, providers);
    return { models: discoveredModels(providers), ...(defaultModel ? { defaultModel } : {}) };
  }
}

/** Kilo's providers as dropdown entries, with each model's price when Kilo reports one. */
export function discoveredModels(providers: KiloProviders): DiscoveredModel[] {
  return modelChoices(providers).map((choice) => {
    const model = providers.all.find((provider) => provider.id === choice.providerID)?.models[choice.modelID];
    const cost = priceFromKilo((model as { cost?: unknown } | undefined)?.cost);
    return { providerID: choice.providerID, modelID: choice.modelID, label: choice.label, connected: choice.connected, ...(cost ? { cost } : {}) };
  });
}

function problemWords(error: unknown): string {
  const base = isOrchestraError(error) && error.hint ? `${error.message} ${error.hint}` : describeError(error);
  return `Kilo could not be asked for its models: ${base}`;
}

function defaultServer(binary: string, cwd: string): DiscoveryServer {
  const server = new KiloServer({ binary, cwd, maxRestarts: 0 });
  return { start: () => server.start(), dispose: () => server.dispose() };
}
