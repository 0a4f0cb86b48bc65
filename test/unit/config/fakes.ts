import type { MementoLike } from '../../../extension/config/mementoStore';
import type { DiscoveredModel } from '../../../extension/protocol/rolesView';

/** An in-memory Memento; `update(key, undefined)` deletes, as VS Code's does. */
export class FakeMemento implements MementoLike {
  readonly values = new Map<string, unknown>();

  constructor(initial: Record<string, unknown> = {}) {
    for (const [key, value] of Object.entries(initial)) this.values.set(key, value);
  }

  get<T>(key: string): T | undefined {
    return structuredClone(this.values.get(key)) as T | undefined;
  }

  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, structuredClone(value));
  }
}

export function aModel(providerID: string, modelID: string, cost?: { input: number; output: number }, connected = true): DiscoveredModel {
  return { providerID, modelID, label: `${providerID} · ${modelID}`, connected, ...(cost ? { cost } : {}) };
}

/** Three priced models: cheap, mid, strong. */
export const PRICED_MODELS: DiscoveredModel[] = [
  aModel('deepseek', 'deepseek-chat', { input: 0.27, output: 1.1 }),
  aModel('google', 'gemini-flash', { input: 1, output: 4 }),
  aModel('anthropic', 'claude-opus', { input: 15, output: 75 }),
];
