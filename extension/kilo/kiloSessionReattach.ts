import path from 'node:path';
import { z } from 'zod';
import { describeError } from '../engine/util/errors';
import type { KiloHttp } from './kiloHttp';
import { sessionMarkOf } from './kiloSessionTidy';

/** An agent's Kilo session as an earlier process of the run saved it (the snapshot's agent registry). */
export interface SavedSession {
  agentId: string;
  sessionId: string;
}

/** What a resume found of the saved sessions on the new server. */
export interface ReattachSummary {
  /** Agent id → its saved session, which the server still has: the agent continues in it. */
  reattached: Map<string, string>;
  /** Agents that start a fresh session, and why. */
  fresh: Array<{ agentId: string; why: string }>;
}

/** Kilo's session ids (`ses_` + base62); a malformed id gets a 500 from 7.7.7, so it is never sent. */
const SESSION_ID = /^ses_[A-Za-z0-9]{1,64}$/;

/** The fields that say whose session it is; the rest passes through. */
const OwnedSessionSchema = z
  .object({
    directory: z.string().optional(),
    title: z.string().optional(),
    time: z.object({ archived: z.number().optional() }).loose().optional(),
  })
  .loose();

/**
 * Asks the server for each saved session and keeps those that are still there and plainly the
 * agent's own: same working directory, marked with the agent id (its metadata, or the title older versions gave), not
 * archived. The snapshot is a file on disk: an id pointing at someone else's conversation is not
 * continued. Never throws: a session that cannot be checked starts fresh, with the reason.
 */
export async function findReattachable(http: Pick<KiloHttp, 'findSession'>, directory: string, saved: readonly SavedSession[]): Promise<ReattachSummary> {
  const reattached = new Map<string, string>();
  const fresh: ReattachSummary['fresh'] = [];
  const seen = new Set<string>();
  await Promise.all(
    saved.map(async ({ agentId, sessionId }) => {
      const why = await problemWith(http, directory, agentId, sessionId, seen);
      if (why === undefined) reattached.set(agentId, sessionId);
      else fresh.push({ agentId, why });
    }),
  );
  fresh.sort((a, b) => a.agentId.localeCompare(b.agentId));
  return { reattached, fresh };
}

async function problemWith(http: Pick<KiloHttp, 'findSession'>, directory: string, agentId: string, sessionId: string, seen: Set<string>): Promise<string | undefined> {
  if (!SESSION_ID.test(sessionId)) return 'its saved session id is not a Kilo session id';
  // Two agents never share one conversation, whatever the file says.
  if (seen.has(sessionId)) return `its session ${sessionId} is saved for another agent too`;
  seen.add(sessionId);
  let found: unknown;
  try {
    found = await http.findSession(sessionId);
  } catch (error) {
    return `its session ${sessionId} could not be checked (${describeError(error)})`;
  }
  if (found === undefined) return `the server no longer has its session ${sessionId}`;
  const session = OwnedSessionSchema.safeParse(found);
  if (!session.success) return `the server's answer for its session ${sessionId} has an unexpected shape`;
  const { directory: where, title, time } = session.data;
  if (where === undefined || path.resolve(where) !== path.resolve(directory)) return `its session ${sessionId} belongs to another folder`;
  // Ours are marked with the agent id in their metadata (kiloSessionTidy.ts); older ones were titled with it.
  if (sessionMarkOf(found)?.agentId !== agentId && title !== agentId) return `its session ${sessionId} is not titled ${agentId}`;
  if (time?.archived !== undefined) return `its session ${sessionId} was archived`;
  return undefined;
}

/** The one line a resume prints: how many agents continue their conversations and how many start fresh. */
export function describeReattach(summary: ReattachSummary): string {
  const again = summary.reattached.size;
  const fresh = summary.fresh.length;
  const reasons = [...new Set(summary.fresh.map((entry) => entry.why.replace(/ ses_[A-Za-z0-9]+/, '')))];
  const freshPart = fresh === 0 ? '0 started fresh' : `${fresh} started fresh, given the artifacts they need (${reasons.join('; ')})`;
  return `Kilo sessions: ${again} re-attached (their conversations go on), ${freshPart}.`;
}
