import { describe, expect, it } from 'vitest';
import { ModelDiscovery, discoveredModels, type DiscoveryServer } from '../../../extension/config/modelDiscovery';
import { OrchestraError } from '../../../extension/engine/util/errors';
import type { KiloEndpoint } from '../../../extension/kilo/kiloHttp';

const PROVIDERS = {
  all: [
    { id: 'anthropic', name: 'Anthropic', models: { 'claude-sonnet': { id: 'claude-sonnet', name: 'Claude Sonnet', cost: { input: 3, output: 15, cache_read: 0.3 } } } },
    { id: 'local', name: 'Local', models: { llama: { id: 'llama', name: 'Llama' }, weird: { id: 'weird', name: 'Weird', cost: { input: 'free' } } } },
  ],
  connected: ['anthropic'],
  default: { anthropic: 'claude-sonnet' },
};

/** Answers GET /provider (counted in `calls`) and GET /config (the user's `model`) for whichever base URL it is given. */
function aFakeKilo(providers: unknown = PROVIDERS, config: unknown = { model: 'anthropic/claude-sonnet' }) {
  const calls: string[] = [];
  const fetch = (async (url: URL | string) => {
    if (new URL(String(url)).pathname === '/config') return new Response(JSON.stringify(config), { status: 200 });
    calls.push(String(url));
    return new Response(JSON.stringify(providers), { status: 200 });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

function aFakeServer(endpoint: KiloEndpoint = { baseUrl: 'http://127.0.0.1:5555', authHeader: 'Basic x' }, fails?: Error) {
  const events: string[] = [];
  const start = (binary: string): DiscoveryServer => {
    events.push(`start ${binary}`);
    return {
      start: async () => {
        if (fails) throw fails;
        return endpoint;
      },
      dispose: async () => void events.push('dispose'),
    };
  };
  return { start, events };
}

describe('ModelDiscovery', () => {
  it('lists models with prices where Kilo reports valid ones, connected providers first', () => {
    expect(discoveredModels(PROVIDERS as never)).toEqual([
      { providerID: 'anthropic', modelID: 'claude-sonnet', label: 'Anthropic · Claude Sonnet', connected: true, cost: { input: 3, output: 15 } },
      { providerID: 'local', modelID: 'llama', label: 'Local · Llama', connected: false },
      { providerID: 'local', modelID: 'weird', label: 'Local · Weird', connected: false },
    ]);
  });

  it('starts a private server on first use, stops it right after, and caches the result until refresh', async () => {
    const kilo = aFakeKilo();
    const server = aFakeServer();
    const discovery = new ModelDiscovery({ binaryPath: async () => '/bin/kilo', cwd: '/ws', startServer: server.start, fetch: kilo.fetch });
    expect(discovery.cached()).toBeUndefined();

    const first = await discovery.models();
    expect(first.models).toHaveLength(3);
    expect(first.problem).toBeUndefined();
    // The user's default model, from the server's merged config.
    expect(first.defaultModel).toEqual({ providerID: 'anthropic', modelID: 'claude-sonnet', source: 'config' });
    expect(server.events).toEqual(['start /bin/kilo', 'dispose']);
    expect(kilo.calls[0]).toMatch(/^http:\/\/127\.0\.0\.1:5555\/provider\?directory=%2Fws/);

    await discovery.models();
    expect(kilo.calls).toHaveLength(1);
    await discovery.refresh();
    expect(kilo.calls).toHaveLength(2);
    expect(server.events).toEqual(['start /bin/kilo', 'dispose', 'start /bin/kilo', 'dispose']);
  });

  it('asks the live run\u2019s server when there is one, without starting another', async () => {
    const kilo = aFakeKilo();
    const server = aFakeServer();
    const discovery = new ModelDiscovery({ binaryPath: async () => '/bin/kilo', cwd: '/ws', startServer: server.start, fetch: kilo.fetch, liveConnection: () => ({ baseUrl: 'http://127.0.0.1:7777', authHeader: 'Basic y' }) });
    expect((await discovery.models()).models).toHaveLength(3);
    expect(server.events).toEqual([]);
    expect(kilo.calls[0]).toMatch(/:7777\//);
  });

  it('turns every failure into a problem in words, never a throw, and still stops the server', async () => {
    const noBinary = new ModelDiscovery({ binaryPath: async () => Promise.reject(new OrchestraError('not-found', 'Kilo is not installed.', { hint: 'Install Kilo Code.' })), cwd: '/ws' });
    expect(await noBinary.models()).toEqual({ models: [], problem: 'Kilo could not be asked for its models: Kilo is not installed. Install Kilo Code.' });

    const server = aFakeServer(undefined, new Error('port in use'));
    const failing = new ModelDiscovery({ binaryPath: async () => '/bin/kilo', cwd: '/ws', startServer: server.start });
    expect((await failing.models()).problem).toMatch(/port in use/);
    expect(server.events).toEqual(['start /bin/kilo', 'dispose']);

    const garbled = new ModelDiscovery({ binaryPath: async () => '/bin/kilo', cwd: '/ws', startServer: aFakeServer().start, fetch: aFakeKilo({ nope: true }).fetch });
    expect((await garbled.models()).problem).toMatch(/unexpected shape/);
  });

  it('shares one query between callers asking at the same time', async () => {
    const kilo = aFakeKilo();
    const discovery = new ModelDiscovery({ binaryPath: async () => '/bin/kilo', cwd: '/ws', startServer: aFakeServer().start, fetch: kilo.fetch });
    await Promise.all([discovery.models(), discovery.models(), discovery.models()]);
    expect(kilo.calls).toHaveLength(1);
  });
});
