import type { RoleResolution } from '../engine/roles/roleValidation';
import type { CostEstimate } from '../engine/run/costEstimate';
import type { DiscoveredModel } from '../protocol/rolesView';
import { costPreview } from './costPreview';

/** The estimate a run records as it starts: the same figure the start's cost preview shows (a typical task on these roles). */
export function startEstimate(resolution: RoleResolution, discovered: readonly DiscoveredModel[] = []): Omit<CostEstimate, 'at'> {
  const preview = costPreview(resolution, discovered);
  return { totalUsd: preview.totalUsd, unpricedRoles: preview.perRole.filter((row) => !row.priced).map((row) => row.roleId) };
}
