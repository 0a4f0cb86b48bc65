// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import type { Component } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Endpoint } from '../../../extension/protocol/endpointView';
import EndpointFormComponent from '../../../webview/roles/EndpointForm.svelte';
import type { RequestOutcome } from '../../../webview/lib/request';

const EndpointForm = EndpointFormComponent as unknown as Component<{ onAdd: (endpoint: Endpoint) => Promise<RequestOutcome>; onCancel: () => void }>;

function renderForm(outcome: RequestOutcome = { ok: true }) {
  const onAdd = vi.fn<(endpoint: Endpoint) => Promise<RequestOutcome>>(async () => outcome);
  const onCancel = vi.fn();
  render(EndpointForm, { props: { onAdd, onCancel } });
  return { onAdd, onCancel };
}

async function type(testId: string, value: string): Promise<void> {
  await fireEvent.input(screen.getByTestId(testId), { target: { value } });
}

afterEach(cleanup);

describe('EndpointForm', () => {
  it('sends a checked endpoint with its models split, then closes', async () => {
    const { onAdd, onCancel } = renderForm();
    await type('endpoint-provider', 'my-vllm');
    await type('endpoint-url', ' http://127.0.0.1:8000/v1 ');
    await type('endpoint-models', 'qwen-coder, llama-70b  mistral');
    await type('endpoint-key', 'sk-local');
    await fireEvent.click(screen.getByTestId('endpoint-add'));
    expect(onAdd).toHaveBeenCalledWith({ providerID: 'my-vllm', baseURL: 'http://127.0.0.1:8000/v1', modelIDs: ['qwen-coder', 'llama-70b', 'mistral'], apiKey: 'sk-local' });
    expect(onCancel).toHaveBeenCalled();
  });

  it('names the first problem and sends nothing for a URL that is not http(s)', async () => {
    const { onAdd } = renderForm();
    await type('endpoint-provider', 'my-vllm');
    await type('endpoint-url', 'file:///etc/passwd');
    await type('endpoint-models', 'qwen');
    await fireEvent.click(screen.getByTestId('endpoint-add'));
    expect(screen.getByTestId('endpoint-error').textContent).toContain('baseURL');
    expect(onAdd).not.toHaveBeenCalled();
  });

  it("shows the host's refusal and stays open", async () => {
    const { onCancel } = renderForm({ ok: false, error: '"openai" is a provider Kilo already knows' });
    await type('endpoint-provider', 'openai');
    await type('endpoint-url', 'https://example.test/v1');
    await type('endpoint-models', 'gpt');
    await fireEvent.click(screen.getByTestId('endpoint-add'));
    expect((await screen.findByTestId('endpoint-error')).textContent).toContain('already knows');
    expect(onCancel).not.toHaveBeenCalled();
  });
});
