import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AgentReply, AgentSession, ArtifactInput, BackendEvent, WorkRequest } from '../../../extension/engine/backends/agentBackend';
import { SimulatedBackend, type SimulatedBackendOptions } from '../../../extension/engine/backends/simulatedBackend';
import { builtinRole } from '../../../extension/engine/roles/builtinRoles';

/** A fresh workspace folder inside a fresh temp folder, so `../` escapes land somewhere checkable. */
export function aWorkspace(): string {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-backend-'));
  const workspace = path.join(parent, 'workspace');
  fs.mkdirSync(workspace);
  return workspace;
}

export function readIn(workspace: string, file: string): string | undefined {
  const absolute = path.join(workspace, file);
  return fs.existsSync(absolute) ? fs.readFileSync(absolute, 'utf8') : undefined;
}

/** Builds work requests: `aRequest('implement').forFile('src/a.ts').build()` grants the file too. */
export function aRequest(kind: WorkRequest['kind']): RequestBuilder {
  return new RequestBuilder(kind);
}

export class RequestBuilder {
  private readonly request: WorkRequest;

  constructor(kind: WorkRequest['kind']) {
    this.request = { workId: `w-${kind}`, kind, prompt: 'Overall task: build a calculator', grants: [], inputs: [], detail: {} };
  }

  forFile(file: string): this {
    this.request.detail.file = file;
    this.request.grants.push(file);
    return this;
  }

  forBatch(files: string[]): this {
    this.request.detail.files = files;
    this.request.grants.push(...files);
    return this;
  }

  granting(grants: string[]): this {
    this.request.grants = grants;
    return this;
  }

  withDetail(detail: Record<string, unknown>): this {
    Object.assign(this.request.detail, detail);
    return this;
  }

  withPrompt(prompt: string): this {
    this.request.prompt = prompt;
    return this;
  }

  withInput(input: Partial<ArtifactInput> & Pick<ArtifactInput, 'type'>): this {
    this.request.inputs.push({ id: `a-${this.request.inputs.length + 1}`, summary: 's', files: [], content: 'x', ...input });
    return this;
  }

  build(): WorkRequest {
    return structuredClone(this.request);
  }
}

export interface Harness {
  backend: SimulatedBackend;
  workspace: string;
  session(roleId: string, options?: { instance?: number; modelID?: string; cost?: { input: number; output: number } }): Promise<AgentSession>;
}

export function aHarness(options: SimulatedBackendOptions = {}): Harness {
  const backend = new SimulatedBackend(options);
  const workspace = aWorkspace();
  return {
    backend,
    workspace,
    session: (roleId, { instance = 1, modelID = `sim-${roleId}`, cost } = {}) =>
      backend.startSession({
        agentId: `${roleId}-${instance}`,
        role: builtinRole(roleId)!,
        profile: { id: modelID, label: modelID, providerID: 'simulated', modelID, ...(cost ? { cost } : {}) },
        workspace,
      }),
  };
}

/** Runs one request and keeps the events it reported. */
export async function runRecorded(
  session: AgentSession,
  request: WorkRequest,
  signal: AbortSignal = new AbortController().signal,
): Promise<{ reply: AgentReply; events: BackendEvent[] }> {
  const events: BackendEvent[] = [];
  const reply = await session.run(request, signal, (event) => events.push(event));
  return { reply, events };
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}
