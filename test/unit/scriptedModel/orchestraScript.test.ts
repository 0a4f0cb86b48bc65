import { describe, expect, it } from 'vitest';
import { roleMarker, workMarker } from '../../../extension/engine/roles/roleMarker';
import { orchestraScript, SAMPLE_PLAN } from '../../../extension/scriptedModel/orchestraScript';
import type { ScriptedTurn } from '../../../extension/scriptedModel/scriptedModelServer';
import { toScriptRequest } from '../../../extension/scriptedModel/scriptRequest';
import { buildOrganiserContext } from '../../../extension/engine/organiser/organiserContext';
import { talkRequest } from '../../../extension/engine/run/agentChat';
import type { AgentRecord } from '../../../extension/engine/agents/agentSchema';
import { aSnapshot } from '../organiser/snapshotBuilder';

const STRUCTURED = { type: 'function', function: { name: 'StructuredOutput', parameters: {} } };

/** A request as Kilo sends it: the role's prompt, the work prompt with Kilo's environment block, maybe tool results. */
function kiloRequest(role: string, prompt: string, options: { toolResult?: { name: string; content: string }; structured?: boolean } = {}) {
  const messages: unknown[] = [
    { role: 'system', content: `You are a role.\n${roleMarker(role)}` },
    { role: 'user', content: [{ type: 'text', text: prompt }, { type: 'text', text: '\n<environment_details>\nWorking directory: /ws\n</environment_details>' }] },
  ];
  if (options.toolResult) {
    messages.push({ role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: options.toolResult.name, arguments: '{}' } }] });
    messages.push({ role: 'tool', tool_call_id: 'c1', content: options.toolResult.content });
  }
  return toScriptRequest({ model: 'm', messages, tools: options.structured === false ? [] : [STRUCTURED], stream: true } as never);
}

async function turn(script: ReturnType<typeof orchestraScript>, request: ReturnType<typeof kiloRequest>): Promise<ScriptedTurn> {
  return script(request);
}

function structured(result: ScriptedTurn): Record<string, unknown> {
  expect(result.toolCalls?.[0]?.name).toBe('StructuredOutput');
  return result.toolCalls![0]!.arguments;
}

describe('orchestraScript', () => {
  it('an agent the user talks to between pieces of work says where the run stands and what it could do', async () => {
    const sceptic = { id: 'code-sceptic-1', role: 'code-sceptic', status: 'idle', turns: 3 } as AgentRecord;
    const prompt = talkRequest(sceptic, 'What are you doing?', 1, { phase: 'Writing the code', task: 'Add overdue-loan tracking', files: [] }).prompt;
    expect(prompt).toContain('The run is now: Writing the code.');
    expect(prompt).toContain('If you have no work now, say what you could do');
    const answer = structured(await turn(orchestraScript(), kiloRequest('code-sceptic', prompt))).summary;
    expect(answer).toBe('I have no work in hand while the run is writing the code. I could review a file again, or explain a finding; ask the Organiser to give it to me.');
  });

  it('the Architect answers with the plan through StructuredOutput', async () => {
    const result = structured(await turn(orchestraScript(), kiloRequest('architect', `Plan it.\n${workMarker('plan', [])}`)));
    expect(result.files).toEqual(SAMPLE_PLAN);
  });

  it('the Code Sceptic rejects the first plan once, then approves', async () => {
    const script = orchestraScript({ rejectFirstPlan: true });
    const review = () => turn(script, kiloRequest('code-sceptic', `Review.\n${workMarker('review-plan', [])}`));
    expect(structured(await review()).approved).toBe(false);
    expect(structured(await review()).approved).toBe(true);
  });

  it('a coder reads its scaffold, overwrites it at an absolute path in the working directory, then reports', async () => {
    const script = orchestraScript();
    const prompt = `Implement.\n${workMarker('implement', ['src/fines.js'])}`;
    expect((await turn(script, kiloRequest('secondary-coder', prompt))).toolCalls).toEqual([{ name: 'read', arguments: { filePath: '/ws/src/fines.js' } }]);
    const written = await turn(script, kiloRequest('secondary-coder', prompt, { toolResult: { name: 'read', content: '// scaffold' } }));
    expect(written.toolCalls).toEqual([{ name: 'write', arguments: { filePath: '/ws/src/fines.js', content: expect.stringContaining('export function fines') } }]);
    const report = structured(await turn(script, kiloRequest('secondary-coder', prompt, { toolResult: { name: 'write', content: 'Wrote file successfully.' } })));
    expect(report.summary).toBe('Implemented src/fines.js.');
  });

  it('a second piece of work in the same session starts afresh despite the earlier tool results', async () => {
    const earlier = kiloRequest('secondary-coder', `Implement.\n${workMarker('implement', ['src/a.js'])}`, { toolResult: { name: 'StructuredOutput', content: 'ok' } });
    const messages = [...earlier.messages, { role: 'user', content: `Implement.\n${workMarker('implement', ['src/b.js'])}\nWorking directory: /ws` }];
    const next = toScriptRequest({ model: 'm', messages, tools: [STRUCTURED], stream: true } as never);
    expect((await turn(orchestraScript(), next)).toolCalls).toEqual([{ name: 'read', arguments: { filePath: '/ws/src/b.js' } }]);
  });

  it('the Documentation Writer writes the overview only when it is granted', async () => {
    const granted = await turn(orchestraScript(), kiloRequest('documentation-writer', `You may create or change only these files: src/a.js, docs/OVERVIEW.md.\n${workMarker('document', ['src/a.js'])}`));
    expect(granted.toolCalls?.[0]).toMatchObject({ name: 'write', arguments: { filePath: '/ws/docs/OVERVIEW.md' } });
    // It describes the batch's files, not every file of the plan.
    const overview = String((granted.toolCalls?.[0]?.arguments as { content?: unknown }).content);
    expect(overview).toContain('`src/a.js`');
    expect(overview.match(/^- /gm)).toHaveLength(1);
    const notGranted = await turn(orchestraScript(), kiloRequest('documentation-writer', `You may create or change only these files: src/b.js.\n${workMarker('document', ['src/b.js'])}`));
    expect(notGranted.toolCalls?.[0]?.name).toBe('StructuredOutput');
  });

  it('the Debugger runs npm test and reports the counts it read', async () => {
    const script = orchestraScript();
    const prompt = `Test.\n${workMarker('test', [])}`;
    expect((await turn(script, kiloRequest('debugger', prompt))).toolCalls?.[0]).toMatchObject({ name: 'bash', arguments: { command: 'npm test' } });
    const report = structured(await turn(script, kiloRequest('debugger', prompt, { toolResult: { name: 'bash', content: '# tests 3\n# pass 3\n# fail 0' } })));
    expect(report.tests).toEqual({ passed: 3, failed: 0, failures: [] });
  });

  it('the Organiser explains the phase in the words its real context gives, never the raw name', async () => {
    const context = buildOrganiserContext(aSnapshot().withPhase('PLAN_REVIEW').build()).text;
    const reply = structured(await turn(orchestraScript(), kiloRequest('organiser', `${context}\n\nExplain in plain words what is happening now and what comes next.`)));
    expect(reply['summary']).toMatch(/^The team is reviewing the plan;/);
    expect(JSON.stringify(reply)).not.toContain('PLAN_REVIEW');
  });

  it('the Organiser picks the option its prompt marks as the built-in rule', async () => {
    const prompt = '- revise_plan: ask the Architect (what the built-in rule would do)\n- approve_plan: go on';
    expect(structured(await turn(orchestraScript(), kiloRequest('organiser', prompt)))).toMatchObject({ action: 'revise_plan' });
  });

  it('answers with a fenced JSON block when StructuredOutput is not offered', async () => {
    const result = await turn(orchestraScript(), kiloRequest('architect', `Plan.\n${workMarker('plan', [])}`, { structured: false }));
    expect(result.toolCalls).toBeUndefined();
    expect(result.text).toMatch(/```json\n\{[\s\S]*"files"/);
  });
});
