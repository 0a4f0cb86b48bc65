/*
 * How a run's Kilo sessions look in the user's own Kilo history: titled with the run and the
 * agent's role ("Orchestra run-… · Coder 2"), marked with the run and agent ids in the
 * session's metadata, and archived once the run is over.
 *
 * Checked against kilo 7.7.7 (`GET /doc` and a live server): `POST /session` keeps `title` and
 * `metadata` as given; there is no archive route, but `PATCH /session/{id}` takes
 * `{ time: { archived: <epoch ms> } }` and the session then carries `time.archived` (it stays in
 * `GET /session`, which Kilo's own list hides when archived). `GET /session?search=` matches titles.
 */
import { z } from 'zod';
import { describeError } from '../engine/util/errors';
import { agentDisplayName, type RoleNaming } from '../protocol/vocabulary';
import type { KiloHttp } from './kiloHttp';

/** The key of our fields in a session's `metadata`. */
export const METADATA_KEY = 'kiloOrchestra';

/** What we put in `metadata[METADATA_KEY]`, and read back (a stored session is input like any other). */
export const SessionMarkSchema = z.object({ runId: z.string().max(200).optional(), agentId: z.string().max(200) });
export type SessionMark = z.infer<typeof SessionMarkSchema>;

/** The listed sessions' fields we read; everything else passes through unread. */
const ListedSessionSchema = z
  .object({
    id: z.string().regex(/^ses_[A-Za-z0-9]{1,64}$/),
    metadata: z.object({ [METADATA_KEY]: SessionMarkSchema.optional() }).loose().optional(),
    time: z.object({ archived: z.number().optional() }).loose().optional(),
  })
  .loose();

/** "Orchestra run-20261201-101500-a1b2c3 · Secondary Coder 2": the role's name, numbered from the second instance. */
export function sessionTitle(runId: string | undefined, role: RoleNaming, agentId: string): string {
  const instance = Number(/-(\d+)$/.exec(agentId)?.[1] ?? '1');
  return `Orchestra${runId ? ` ${runId}` : ''} · ${agentDisplayName(role.id, instance, [role])}`;
}

/** The session metadata that says whose it is. */
export function sessionMetadata(runId: string | undefined, agentId: string): Record<string, unknown> {
  return { [METADATA_KEY]: { ...(runId ? { runId } : {}), agentId } satisfies SessionMark };
}

/** The mark a stored session carries, if it is one of ours and well formed. */
export function sessionMarkOf(session: unknown): SessionMark | undefined {
  const parsed = z.object({ metadata: z.object({ [METADATA_KEY]: SessionMarkSchema }).loose() }).loose().safeParse(session);
  return parsed.success ? parsed.data.metadata[METADATA_KEY] : undefined;
}

/**
 * Archives the run's sessions: the ones this process opened (`known`) and any other the server
 * lists as the run's (an earlier process of a resumed run opened them). Never throws: a session
 * that cannot be archived is logged and stays in the user's list. Resolves with how many were archived.
 */
export async function archiveRunSessions(http: Pick<KiloHttp, 'listSessions' | 'archiveSession'>, runId: string, known: Iterable<string>, log?: (message: string) => void, now: () => number = Date.now): Promise<number> {
  const ids = new Set(known);
  try {
    for (const listed of await http.listSessions(runId)) {
      const session = ListedSessionSchema.safeParse(listed);
      if (!session.success || session.data.metadata?.[METADATA_KEY]?.runId !== runId) continue;
      if (session.data.time?.archived !== undefined) ids.delete(session.data.id);
      else ids.add(session.data.id);
    }
  } catch (error) {
    log?.(`Could not list the Kilo sessions of run ${runId} (${describeError(error)}); archiving the ${ids.size} this process opened.`);
  }
  const results = await Promise.allSettled([...ids].map((id) => http.archiveSession(id, now())));
  results.forEach((result, index) => {
    if (result.status === 'rejected') log?.(`Kilo session ${[...ids][index]} of run ${runId} was not archived: ${describeError(result.reason)}`);
  });
  return results.filter((result) => result.status === 'fulfilled').length;
}
