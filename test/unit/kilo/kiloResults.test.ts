import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { AgentOutputSchema } from '../../../extension/engine/backends/agentOutput';
import { KiloHttp } from '../../../extension/kilo/kiloHttp';
import { DATA_RULE, renderPrompt } from '../../../extension/engine/run/promptInputs';
import { agentOutputJsonSchema, kiloFailure, parseJsonAnswer } from '../../../extension/kilo/kiloSessionBackend';
import { rejection } from '../support/errors';

describe('parseJsonAnswer', () => {
  it('takes the JSON of a fenced json block in prose', () => {
    expect(parseJsonAnswer('Here you go:\n```json\n{"summary":"ok"}\n```\nBye.')).toEqual({ found: true, value: { summary: 'ok' } });
  });

  it('prefers the last fenced block that parses, skipping broken ones', () => {
    const text = '```json\n{"summary":"draft"}\n```\nthen\n```\n{"summary":"final"}\n```\n```json\n{broken\n```';
    expect(parseJsonAnswer(text)).toEqual({ found: true, value: { summary: 'final' } });
  });

  it('accepts an answer that is one bare JSON object', () => {
    expect(parseJsonAnswer('  {"summary":"bare"}\n')).toEqual({ found: true, value: { summary: 'bare' } });
  });

  it('finds nothing in prose without a JSON block', () => {
    expect(parseJsonAnswer('I changed the file as asked.')).toEqual({ found: false });
    expect(parseJsonAnswer('```ts\nconst x = {};\n```')).toEqual({ found: false });
  });
});

describe('renderPrompt', () => {
  it('appends each input as a data block naming its id, type and files, after the data rule', () => {
    const text = renderPrompt('Implement src/a.ts.', [
      { id: 'art-1', type: 'pseudocode', summary: 's', files: ['src/a.ts', 'src/b.ts'], content: 'step 1' },
      { id: 'art-2', type: 'plan', summary: 's', files: [], content: 'the plan' },
    ]);
    expect(text).toBe(
      `Implement src/a.ts.\n\n${DATA_RULE}\n\n## Input art-1\n<untrusted-data source="art-1 (pseudocode, files src/a.ts, src/b.ts)">\nstep 1\n</untrusted-data>\n\n## Input art-2\n<untrusted-data source="art-2 (plan)">\nthe plan\n</untrusted-data>`,
    );
  });
});

describe('kiloFailure', () => {
  it('maps an aborted message to aborted', () => {
    expect(kiloFailure({ name: 'MessageAbortedError', data: { message: 'Aborted' } }, 'coder').reason).toBe('aborted');
  });

  it('maps a 429 or a rate-limit message to a retryable rate-limited', () => {
    const byStatus = kiloFailure({ name: 'APIError', data: { message: 'slow down', statusCode: 429 } }, 'coder');
    expect([byStatus.reason, byStatus.retryable]).toEqual(['rate-limited', true]);
    expect(kiloFailure({ name: 'APIError', data: { message: 'Rate limit reached' } }, 'coder').reason).toBe('rate-limited');
  });

  it('maps other errors to backend-failed, retryable unless Kilo says otherwise', () => {
    const retryable = kiloFailure({ name: 'UnknownError', data: { message: 'boom' } }, 'coder');
    expect([retryable.reason, retryable.retryable]).toEqual(['backend-failed', true]);
    expect(kiloFailure({ name: 'APIError', data: { message: 'bad request', statusCode: 400, isRetryable: false } }, 'coder').retryable).toBe(false);
  });
});

describe('agentOutputJsonSchema', () => {
  it('is a plain object schema without $schema whose required fields are only those without defaults', () => {
    const schema = agentOutputJsonSchema();
    expect(schema.$schema).toBeUndefined();
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(['summary']);
    expect(Object.keys(schema.properties as object)).toEqual(Object.keys(AgentOutputSchema.shape));
  });
});

describe('KiloHttp errors', () => {
  it('turns an HTTP error into backend-failed carrying the response body', async () => {
    const server = createServer((_req, res) => res.writeHead(400, { 'content-type': 'application/json' }).end('{"name":"BadRequest","data":{"message":"nope"}}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const http = new KiloHttp({ connection: () => ({ baseUrl: `http://127.0.0.1:${port}`, authHeader: 'Basic x' }), directory: '/w' });
      const error = await rejection(http.getSession('ses_1'));
      expect(error.reason).toBe('backend-failed');
      expect(error.message).toContain('"message":"nope"');
      expect(error.retryable).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('turns a refused connection or a stopped server into a retryable backend-unavailable', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const refused = await rejection(new KiloHttp({ connection: () => ({ baseUrl: `http://127.0.0.1:${port}`, authHeader: 'Basic x' }), directory: '/w' }).diff('ses_1'));
    expect([refused.reason, refused.retryable]).toEqual(['backend-unavailable', true]);
    const stopped = await rejection(new KiloHttp({ connection: () => undefined, directory: '/w' }).diff('ses_1'));
    expect([stopped.reason, stopped.retryable]).toEqual(['backend-unavailable', true]);
  });
});
