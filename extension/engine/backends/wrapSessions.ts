import type { AgentBackend, AgentSession, SessionSpec } from './agentBackend';

/**
 * A backend like `backend` whose sessions' `run` is `wrapRun(spec, session)`: for wrappers that only
 * watch or record the turns (the replay recorder, the transcripts). Everything else passes through;
 * the session id is read through, as a backend with a conversation per piece of work changes it.
 */
export function wrapSessionRuns(backend: AgentBackend, wrapRun: (spec: SessionSpec, session: AgentSession) => AgentSession['run']): AgentBackend {
  return {
    kind: backend.kind,
    dispose: () => backend.dispose(),
    ...(backend.endRun ? { endRun: (runId: string) => backend.endRun!(runId) } : {}),
    async startSession(spec: SessionSpec): Promise<AgentSession> {
      const session = await backend.startSession(spec);
      return {
        agentId: session.agentId,
        get sessionId() {
          return session.sessionId;
        },
        close: () => session.close(),
        run: wrapRun(spec, session),
      };
    },
  };
}
