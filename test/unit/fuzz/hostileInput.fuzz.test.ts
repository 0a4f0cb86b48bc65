import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArtifactStore } from '../../../extension/engine/artifacts/artifactStore';
import { AgentOutputSchema, capAgentOutput } from '../../../extension/engine/backends/agentOutput';
import { MessageRouter } from '../../../extension/engine/routing/messageRouter';
import { WorkRecorder } from '../../../extension/engine/run/workRecorder';
import { isOrchestraError } from '../../../extension/engine/util/errors';
import type { WorkItem, WorkKind } from '../../../extension/engine/workflow/workflowTypes';
import { parseJsonAnswer } from '../../../extension/kilo/kiloSessionBackend';
import { parseHostMessage, parseWebviewMessage } from '../../../extension/protocol/dashboardProtocol';

// Hostile input, fuzzed: whatever arrives, the answer is a value or an error with a one-line reason.
const envelopeKeys = fc.constantFrom('summary', 'content', 'files', 'path', 'purpose', 'approved', 'findings', 'severity', 'message', 'file', 'tests', 'passed', 'failed', 'failures', 'test', 'spawnRequests', 'role', 'reason', 'type', 'requestId', '__proto__', 'constructor', 'toString');
const leaf = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('', 'minor', 'critical', '../../etc/passwd', '/etc/passwd', 'src/*', '.kilo/agent/x.md', 'src/a.ts', 'debugger'), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(envelopeKeys, tie('value'), { maxKeys: 6 })),
})).value;
/** Anything at all, objects without a prototype and with odd keys included. */
const anything = fc.oneof(jsonish, fc.anything({ withNullPrototype: true, withBigInt: true, withMap: true, withSet: true, withBoxedValues: true, withObjectString: true }));

function expectOneLine(text: string): void {
  expect(text.length).toBeGreaterThan(0);
  expect(text).not.toMatch(/[\r\n]/);
}

describe('the agent-output parser, fuzzed', () => {
  it('parseJsonAnswer finds a value or nothing in any text, and never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json().map((j) => `Here you go:\n\`\`\`json\n${j}\n\`\`\``), jsonish.map((v) => JSON.stringify(v) ?? '')), (text) => {
        const found = parseJsonAnswer(text);
        expect(typeof found.found).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('the envelope and its caps accept or refuse any value without throwing', () => {
    fc.assert(
      fc.property(anything, (value) => {
        const parsed = AgentOutputSchema.safeParse(value);
        if (parsed.success) capAgentOutput(parsed.data);
      }),
      { numRuns: 1000 },
    );
  });

  it('WorkRecorder.record stores the answer or throws an OrchestraError with a one-line reason, for every kind of work', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-recorder-'));
    fs.mkdirSync(path.join(workspace, 'src'));
    fs.writeFileSync(path.join(workspace, 'src/a.ts'), 'export const a = 1;\n');
    const store = await ArtifactStore.open(path.join(workspace, '.kilo-orchestra', 'artifacts'));
    const findings: string[] = [];
    const recorder = new WorkRecorder({ store, workspace, onFinding: (f) => findings.push(f.message) });
    const kinds: WorkKind[] = ['plan', 'review-plan', 'revise-plan', 'structure', 'implement', 'review-code', 'fix', 'document', 'test', 'consult'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...kinds), anything, fc.array(fc.constantFrom('src/a.ts', '../outside.ts', '/etc/passwd', 'src/*'), { maxLength: 3 }), async (kind, output, changedFiles) => {
        const work: WorkItem = { id: `w-${kind}`, kind, role: 'secondary-coder', instance: 1, grants: ['src/a.ts'], inputs: [], attempt: 1, file: 'src/a.ts', files: ['src/a.ts'] };
        try {
          await recorder.record(work, 'agent-1', { output, changedFiles, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } });
        } catch (error) {
          expect(isOrchestraError(error)).toBe(true);
          expectOneLine((error as Error).message);
        }
      }),
      { numRuns: 300 },
    );
    for (const message of findings) expectOneLine(message);
  });
});

describe('router messages, fuzzed', () => {
  it('a message is queued or refused with an OrchestraError and a one-line reason', () => {
    const router = new MessageRouter({ clock: () => 0 });
    router.register('coder');
    const message = fc.record(
      { from: leaf, to: fc.oneof(fc.constant('coder'), leaf), messageType: fc.oneof(fc.constantFrom('artifact', 'request', 'status', 'review'), leaf), payload: anything, correlationId: leaf },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(message, anything), (outgoing) => {
        try {
          router.send(outgoing as never);
        } catch (error) {
          expect(isOrchestraError(error)).toBe(true);
          expectOneLine((error as Error).message);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the webview protocol, fuzzed', () => {
  const typed = fc.record({ type: fc.oneof(fc.constantFrom('workflow/pause', 'roles/export', 'agents/didChange', 'chat/send', 'task/start'), leaf, anything), requestId: anything, payload: anything }, { requiredKeys: [] });

  it('parses or refuses any value from either side with a one-line reason, never throwing', () => {
    fc.assert(
      fc.property(fc.oneof(typed, anything), (raw) => {
        for (const result of [parseWebviewMessage(raw), parseHostMessage(raw)]) {
          if (!result.ok) expectOneLine(result.problem);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
