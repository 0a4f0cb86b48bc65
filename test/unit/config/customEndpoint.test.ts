import { describe, expect, it } from 'vitest';
import { addEndpoint } from '../../../extension/config/customEndpoint';
import type { RolesConfig } from '../../../extension/engine/roles/roleSchema';
import { parseRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { EndpointSchema, endpointKeyName } from '../../../extension/protocol/endpointView';
import { aModel } from './fakes';

const EMPTY: RolesConfig = { profiles: [], roles: [], assignments: {} };
const VLLM = EndpointSchema.parse({ providerID: 'my-vllm', baseURL: 'http://127.0.0.1:8000/v1', modelIDs: ['qwen-coder', 'llama-70b'], apiKey: 'sk-local' });

describe('custom endpoints', () => {
  it('adds one valid profile per model, naming the key by the provider and never holding it', () => {
    const config = addEndpoint(EMPTY, VLLM, []);
    expect(config.profiles).toEqual([
      { id: 'my-vllm-qwen-coder', label: 'qwen-coder (my-vllm)', providerID: 'my-vllm', modelID: 'qwen-coder', baseURL: 'http://127.0.0.1:8000/v1', apiKeyEnv: 'MY_VLLM_API_KEY' },
      { id: 'my-vllm-llama-70b', label: 'llama-70b (my-vllm)', providerID: 'my-vllm', modelID: 'llama-70b', baseURL: 'http://127.0.0.1:8000/v1', apiKeyEnv: 'MY_VLLM_API_KEY' },
    ]);
    expect(JSON.stringify(config)).not.toContain('sk-local');
    expect(() => parseRolesConfig(config, 'test')).not.toThrow();
    expect(endpointKeyName('my-vllm')).toBe('MY_VLLM_API_KEY');
  });

  it('updates the same endpoint in place when added again, keeping its stored key when no new one is typed', () => {
    const once = addEndpoint(EMPTY, VLLM, []);
    const again = addEndpoint(once, { ...VLLM, modelIDs: ['qwen-coder', 'mistral'], apiKey: '' }, []);
    expect(again.profiles.map((profile) => profile.id)).toEqual(['my-vllm-qwen-coder', 'my-vllm-llama-70b', 'my-vllm-mistral']);
    expect(again.profiles.map((profile) => profile.apiKeyEnv)).toEqual(['MY_VLLM_API_KEY', 'MY_VLLM_API_KEY', 'MY_VLLM_API_KEY']);
    // An endpoint that never had a key names none.
    expect(addEndpoint(EMPTY, { ...VLLM, apiKey: '' }, []).profiles[0]).not.toHaveProperty('apiKeyEnv');
  });

  it('refuses an id Kilo already knows, and one already used with another URL', () => {
    expect(() => addEndpoint(EMPTY, { ...VLLM, providerID: 'openai' }, [aModel('openai', 'gpt-5')])).toThrow(/provider Kilo already knows/);
    const once = addEndpoint(EMPTY, VLLM, []);
    expect(() => addEndpoint(once, { ...VLLM, baseURL: 'http://10.0.0.2:8000/v1' }, [])).toThrow(/already points at http:\/\/127\.0\.0\.1:8000\/v1/);
  });

  it.each([
    [{ ...VLLM, providerID: 'My VLLM' }, 'lower-case'],
    [{ ...VLLM, baseURL: 'file:///etc/passwd' }, 'http(s) URL'],
    [{ ...VLLM, modelIDs: [] }, 'at least one model'],
    [{ ...VLLM, modelIDs: ['two words'] }, 'no spaces'],
  ])('the form is checked before anything is stored: %#', (input, message) => {
    const parsed = EndpointSchema.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toContain(message);
  });
});

describe('the Roles tab adds an endpoint', () => {
  it('stores the key in the secret store, the profiles in the config, and tells the user where to choose them', async () => {
    const { RolesTab } = await import('../../../extension/config/rolesController');
    let stored: RolesConfig = EMPTY;
    const secrets = new Map<string, string>();
    const info: string[] = [];
    const tab = new RolesTab({
      config: { load: () => stored, store: async (next: RolesConfig) => void (stored = next), onDidChange: () => ({ dispose: () => undefined }) } as never,
      discovery: { cached: () => ({ models: [aModel('openai', 'gpt-5')] }), models: async () => ({ models: [] }), refresh: async () => ({ models: [] }) } as never,
      dialogs: { pickFolder: async () => undefined, pickFiles: async () => undefined, showInfo: (line) => void info.push(line) },
      secrets: { store: async (name, value) => void secrets.set(name, value) },
    });
    await tab.addEndpoint(VLLM);
    expect(secrets).toEqual(new Map([['MY_VLLM_API_KEY', 'sk-local']]));
    expect(stored.profiles.map((profile) => profile.id)).toEqual(['my-vllm-qwen-coder', 'my-vllm-llama-70b']);
    expect(JSON.stringify(stored)).not.toContain('sk-local');
    expect(info).toEqual(['Added 2 models of my-vllm (key stored as MY_VLLM_API_KEY): choose them in a role\'s Profile list.']);
    await expect(tab.addEndpoint({ ...VLLM, providerID: 'openai' })).rejects.toThrow(/already knows/);
    expect(secrets.size).toBe(1);
  });
});
