import { z } from 'zod';

/**
 * The OpenAI Chat Completions request as the scripted model accepts it. Only what the server reads is
 * checked; every object stays loose so fields a client adds (reasoning options, provider extras) pass.
 */

const TextPartSchema = z.looseObject({ type: z.literal('text'), text: z.string() });
/** Images, audio and whatever else a client sends: kept, never read. */
const OtherPartSchema = z.looseObject({ type: z.string().refine((type) => type !== 'text', 'A text part needs "text".') });
export const ContentPartSchema = z.union([TextPartSchema, OtherPartSchema]);

const ContentSchema = z.union([z.string(), z.array(ContentPartSchema)]);

export const ToolCallSchema = z.looseObject({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string().min(1), arguments: z.string() }),
});

const SystemMessageSchema = z.looseObject({ role: z.literal('system'), content: ContentSchema });
const UserMessageSchema = z.looseObject({ role: z.literal('user'), content: ContentSchema });
const AssistantMessageSchema = z.looseObject({
  role: z.literal('assistant'),
  content: ContentSchema.nullish(),
  tool_calls: z.array(ToolCallSchema).nullish(),
});
const ToolMessageSchema = z.looseObject({ role: z.literal('tool'), content: ContentSchema, tool_call_id: z.string().min(1) });

export const ChatMessageSchema = z.discriminatedUnion('role', [
  SystemMessageSchema,
  UserMessageSchema,
  AssistantMessageSchema,
  ToolMessageSchema,
]);

export const ToolSchema = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
  }),
});

export const ChatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(ChatMessageSchema).min(1),
  tools: z.array(ToolSchema).nullish(),
  tool_choice: z.unknown().optional(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  max_tokens: z.number().int().nullish(),
  max_completion_tokens: z.number().int().nullish(),
});

export type ContentPart = z.infer<typeof ContentPartSchema>;
export type ChatMessage = z.infer<typeof ChatMessageSchema>;
export type ChatToolCall = z.infer<typeof ToolCallSchema>;
export type ChatTool = z.infer<typeof ToolSchema>;
export type ChatRequest = z.infer<typeof ChatRequestSchema>;

export type ParsedChatRequest = { ok: true; request: ChatRequest } | { ok: false; message: string; param: string | null };

/** Validates a decoded JSON body; on failure says which field is wrong, for a 400 answer. */
export function parseChatRequest(body: unknown): ParsedChatRequest {
  const result = ChatRequestSchema.safeParse(body);
  if (result.success) return { ok: true, request: result.data };
  const issues = result.error.issues.slice(0, 5).map((issue) => `${issuePath(issue.path) || '(body)'}: ${issue.message}`);
  const first = result.error.issues[0];
  return {
    ok: false,
    message: `Invalid chat completion request: ${issues.join('; ')}`,
    param: first && first.path.length > 0 ? issuePath(first.path) : null,
  };
}

function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('').replace(/^\./, '');
}

/** The text of a message's content: a string as is, text parts joined by newlines, other parts ignored. */
export function contentText(content: string | ContentPart[] | null | undefined): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content
    .filter((part): part is z.infer<typeof TextPartSchema> => part.type === 'text' && typeof part.text === 'string')
    .map((part) => part.text)
    .join('\n');
}
