import { describe, expect, it } from 'vitest';
import { modelChoices } from '../../../extension/kilo/kiloModels';

describe('modelChoices', () => {
  it('lists connected providers first, each default model first, then by name', () => {
    const choices = modelChoices({
      all: [
        { id: 'openai', name: 'OpenAI', models: { 'gpt-5': { id: 'gpt-5', name: 'GPT-5' } } },
        { id: 'anthropic', name: 'Anthropic', models: { haiku: { id: 'haiku', name: 'Haiku' }, sonnet: { id: 'sonnet', name: 'Sonnet' } } },
        { id: 'scripted', name: 'scripted', models: { 'architect-model': { id: 'architect-model', name: 'Scripted Architect' } } },
      ],
      connected: ['anthropic', 'scripted'],
      default: { anthropic: 'sonnet' },
    });
    expect(choices.map((c) => `${c.providerID}/${c.modelID}:${c.connected}`)).toEqual([
      'anthropic/sonnet:true',
      'anthropic/haiku:true',
      'scripted/architect-model:true',
      'openai/gpt-5:false',
    ]);
    expect(choices[0]).toMatchObject({ label: 'Anthropic · Sonnet', isDefault: true });
  });
});
