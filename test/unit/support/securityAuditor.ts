import type { RoleCard } from '../../../extension/protocol/rolesView';
import type { RoleJoin } from '../../../extension/protocol/workflowDefinition';

/** The Security Auditor of issue 13's roles file, exactly as a user writes it. */
export const SECURITY_AUDITOR = {
  id: 'security-auditor',
  name: 'Security Auditor',
  category: 'review',
  description: 'Reviews each file for injection, unsafe input handling and secrets.',
  prompt: 'Review the file for security problems only.',
  joins: { step: 'CODE_REVIEW', after: 'code-sceptic' },
} as const;

/** The same role as the Agent Roles tab shows it, joining where `joins` says (none: not yet joined). */
export function securityAuditorCard(joins?: RoleJoin): RoleCard {
  return {
    id: SECURITY_AUDITOR.id,
    name: SECURITY_AUDITOR.name,
    description: SECURITY_AUDITOR.description,
    category: 'custom',
    required: false,
    builtin: false,
    capabilities: [],
    inputArtifacts: ['code'],
    outputArtifacts: ['review'],
    prompt: SECURITY_AUDITOR.prompt,
    active: true,
    instances: 1,
    ...(joins ? { joins } : {}),
  };
}
