/** An artifact's content as the host sends it for `artifact/load`. */
export interface ArtifactContent {
  artifactId: string;
  version: number;
  content: string;
  previous?: string;
  language?: string;
}

export type ArtifactLoadOutcome = { ok: true; artifact: ArtifactContent } | { ok: false; error: string };

/** What the artifact viewer gets instead of the bridge, so tests hand in a fake. */
export type LoadArtifact = (artifactId: string) => Promise<ArtifactLoadOutcome>;
