import { z } from 'zod';
import { toWorkspaceRelative } from '../util/paths';

export const ARTIFACT_TYPES = ['plan', 'pseudocode', 'code', 'review', 'documentation', 'test-report'] as const;
export const ArtifactTypeSchema = z.enum(ARTIFACT_TYPES);
export type ArtifactType = z.infer<typeof ArtifactTypeSchema>;

export const ArtifactStatusSchema = z.enum(['in-progress', 'completed', 'needs-revision', 'approved']);
export type ArtifactStatus = z.infer<typeof ArtifactStatusSchema>;

export const ApprovalStatusSchema = z.enum(['pending', 'approved', 'rejected']);
export type ApprovalStatus = z.infer<typeof ApprovalStatusSchema>;

/** A workspace-relative file path; hostile paths (absolute, `..`, the store folder) fail validation. */
export const WorkspacePathSchema = z.string().transform((value, ctx) => {
  try {
    return toWorkspaceRelative(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    return z.NEVER;
  }
});

export const ArtifactMetadataSchema = z.object({
  files: z.array(WorkspacePathSchema).default([]),
  reviewedBy: z.array(z.string()).default([]),
  approvalStatus: ApprovalStatusSchema.default('pending'),
  /** Starts at 1 and rises with every write; a write naming an older version is rejected. */
  version: z.number().int().positive(),
  /** The work item that produced this version. */
  correlationId: z.string().optional(),
  /** For reviews and fixes: the artifact this one is about. */
  subjectId: z.string().optional(),
});
export type ArtifactMetadata = z.infer<typeof ArtifactMetadataSchema>;

/** Where the full content of one version lives, relative to the store folder. */
export const ContentRefSchema = z.object({
  path: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ContentRef = z.infer<typeof ContentRefSchema>;

/** The index entry of an artifact. Full content is never in here: it is loaded on demand. */
export const ArtifactRecordSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  type: ArtifactTypeSchema,
  producer: z.string(),
  role: z.string(),
  status: ArtifactStatusSchema,
  summary: z.string(),
  summaryTokens: z.number().int().nonnegative(),
  content: ContentRefSchema,
  metadata: ArtifactMetadataSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ArtifactRecord = z.infer<typeof ArtifactRecordSchema>;

/** What the Organiser sees of an artifact. */
export type ArtifactSummary = Pick<ArtifactRecord, 'id' | 'type' | 'producer' | 'status' | 'summary' | 'summaryTokens'> & {
  files: string[];
  version: number;
};

/** Most tokens an artifact summary may have (counted with the real tokenizer). */
export const SUMMARY_TOKEN_CAP = 50;
