import { z } from 'zod';

/**
 * A custom OpenAI-compatible endpoint the user adds from the Agent Roles tab: a provider id of
 * their choosing, the base URL, the model ids it serves and its key. The key goes to VS Code's
 * SecretStorage and never into the roles file or the webview's state.
 */
export const EndpointSchema = z.object({
  providerID: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'Use lower-case letters, digits and dashes (at most 40), like my-vllm.'),
  baseURL: z
    .url({ protocol: /^https?$/, error: 'Give the full http(s) URL of the API, like http://127.0.0.1:8000/v1.' })
    .max(500),
  modelIDs: z.array(z.string().trim().min(1).max(200).regex(/^[^\s]+$/, 'A model id has no spaces.')).min(1, 'Name at least one model id.').max(20),
  /** Empty when the endpoint needs no key. */
  apiKey: z.string().max(1000).default(''),
});
export type Endpoint = z.infer<typeof EndpointSchema>;

/** The SecretStorage name of an endpoint's key, as its profiles name it in `apiKeyEnv`. */
export function endpointKeyName(providerID: string): string {
  return `${providerID.toUpperCase().replace(/-/g, '_')}_API_KEY`;
}
