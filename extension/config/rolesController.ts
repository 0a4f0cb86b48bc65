import fs from 'node:fs/promises';
import path from 'node:path';
import type { RolesController } from '../dashboard/dashboardDeps';
import { builtinRole } from '../engine/roles/builtinRoles';
import { loadRolesConfigFile } from '../engine/roles/rolesConfigFile';
import type { Profile, RoleOverride, RolesConfig } from '../engine/roles/roleSchema';
import type { Disposable } from '../engine/util/disposable';
import { OrchestraError, describeError } from '../engine/util/errors';
import { endpointKeyName, type Endpoint } from '../protocol/endpointView';
import { addEndpoint } from './customEndpoint';
import { TypedEmitter } from '../engine/util/typedEvents';
import type { RolesConfigView, RolesView } from '../protocol/rolesView';
import { MAX_AGENT_FILE_BYTES, parseAgentFile, roleToAgentFile, type ParsedAgentFile } from './kiloAgentFiles';
import type { Discovery } from './modelDiscovery';
import type { OrchestrationConfigManager } from './orchestrationConfigManager';
import { MAX_ROLES_FILE_BYTES, ROLES_FILE_NAME, mergeRolesFile, rolesFileContent } from './rolesFileExchange';
import { TEMPLATES, profileIdFor, type TemplateId } from './roleTemplates';

/** The dialogs the roles tab needs; `rolesDialogs.ts` adapts VS Code's, tests pass a fake. */
export interface RolesDialogs {
  pickFolder(title: string): Promise<string | undefined>;
  pickFiles(title: string): Promise<string[] | undefined>;
  showInfo(message: string): void;
}

export interface ModelSource {
  cached(): Discovery | undefined;
  models(): Promise<Discovery>;
  refresh(): Promise<Discovery>;
}

export interface RolesTabOptions {
  config: OrchestrationConfigManager;
  discovery: ModelSource;
  dialogs: RolesDialogs;
  /** True while an orchestrated task runs: saved changes then reach agents at the next start. */
  isRunLive?: () => boolean;
  /** Where a custom endpoint's key goes (VS Code's SecretStorage); the roles file only names it. */
  secrets?: { store(name: string, value: string): Thenable<void> | Promise<void> };
  log?: (line: string) => void;
}

const DESCRIPTION_MAX = 400;

/**
 * The roles tab's host side: the view (config, models, issues, templates, cost preview), saving,
 * templates, refreshing models and import/export as Kilo agent files. Model discovery never
 * blocks the view: the first `view()` starts it and a change is announced when it is done.
 */
export class RolesTab implements RolesController {
  private readonly emitter = new TypedEmitter<{ changed: () => void }>();
  private readonly configSubscription: Disposable;

  constructor(private readonly options: RolesTabOptions) {
    this.configSubscription = options.config.onDidChange(() => this.emitter.emit('changed'));
  }

  async view(): Promise<RolesView> {
    const discovery = this.options.discovery.cached();
    if (!discovery) void this.options.discovery.models().then(() => this.emitter.emit('changed'));
    const discovered = discovery?.models ?? [];
    const { config } = this.options;
    const kiloDefault = config.kiloDefaultName();
    return {
      config: config.view(),
      discovered,
      ...(discovery?.problem ? { discoveryProblem: discovery.problem } : {}),
      issues: config.issues(discovered),
      templates: TEMPLATES.map((template) => ({ ...template })),
      costPreview: config.costEstimate(discovered),
      appliesAtNextStart: this.options.isRunLive?.() ?? false,
      ...(kiloDefault ? { kiloDefault } : {}),
    };
  }

  save(view: RolesConfigView): Promise<void> {
    return this.options.config.save(view);
  }

  async applyTemplate(templateId: TemplateId): Promise<void> {
    const { models } = await this.options.discovery.models();
    await this.options.config.applyTemplate(templateId, models);
  }

  async refreshModels(): Promise<void> {
    await this.options.discovery.refresh();
    this.emitter.emit('changed');
  }

  /** A custom OpenAI-compatible endpoint: checked against the models Kilo knows, key stored first, then the profiles. */
  async addEndpoint(endpoint: Endpoint): Promise<void> {
    const discovered = this.options.discovery.cached()?.models ?? [];
    const next = addEndpoint(this.options.config.load(), endpoint, discovered);
    const key = endpoint.apiKey.trim();
    if (key !== '') {
      if (!this.options.secrets) throw new OrchestraError('invalid-config', 'This window cannot store keys; use "Kilo Orchestra: Set Provider API Key".');
      await this.options.secrets.store(endpointKeyName(endpoint.providerID), key);
    }
    await this.options.config.store(next);
    const count = new Set(endpoint.modelIDs).size;
    this.options.dialogs.showInfo(`Added ${count} model${count === 1 ? '' : 's'} of ${endpoint.providerID}${key !== '' ? ` (key stored as ${endpointKeyName(endpoint.providerID)})` : ''}: choose them in a role's Profile list.`);
  }

  /**
   * Reads what the user picks: roles files (`.json`, the `--roles` format, with the workflow and the
   * roles' joins) first, then Kilo agent files (`.md`) into roles and profiles. Bad files are skipped
   * and named; a roles file the engine's schema refuses is named with the path of the bad field.
   */
  async importFromFiles(): Promise<void> {
    const files = await this.options.dialogs.pickFiles('Import roles from Kilo agent files or a roles file');
    if (!files || files.length === 0) return;
    const rolesFiles = files.filter((file) => /\.json$/i.test(file));
    let next = this.options.config.load();
    const done: string[] = [];
    const skipped: string[] = [];
    for (const file of rolesFiles) {
      const read = await readRolesFile(file);
      if (!read.ok) {
        skipped.push(read.problem);
        continue;
      }
      next = mergeRolesFile(next, read.config);
      done.push(`${path.basename(file)} (${read.config.roles.length} role${read.config.roles.length === 1 ? '' : 's'}${read.config.workflow ? ' and the workflow' : ''})`);
    }
    const agents: ParsedAgentFile[] = [];
    for (const file of files.filter((candidate) => !rolesFiles.includes(candidate))) {
      const parsed = await readAgentFile(file);
      if (parsed.ok) agents.push(parsed.agent);
      else skipped.push(parsed.problem);
    }
    if (agents.length > 0) next = mergeImported(next, agents);
    if (done.length > 0 || agents.length > 0) await this.options.config.store(next);
    for (const problem of skipped) this.options.log?.(`roles: import skipped ${problem}`);
    const parts = [
      ...(agents.length > 0 ? [`${agents.length} role${agents.length > 1 ? 's' : ''} (${agents.map((a) => a.roleId).join(', ')})`] : []),
      ...(done.length > 0 ? [`the roles file ${done.join(', ')}`] : []),
    ];
    const imported = parts.length > 0 ? `Imported ${parts.join(' and ')}.` : 'No role was imported.';
    this.options.dialogs.showInfo(skipped.length > 0 ? `${imported} Skipped: ${skipped.join(' ')}` : imported);
  }

  /**
   * Writes every active role as `<role id>.md` into a folder the user picks (e.g. `.kilo/agent`), and
   * the whole configuration, workflow and joins included, as `kilo-orchestra-roles.json`.
   */
  async exportToFiles(): Promise<void> {
    const folder = await this.options.dialogs.pickFolder('Export roles as Kilo agent files');
    if (!folder) return;
    const config = this.options.config.load();
    const view = this.options.config.view();
    const written: string[] = [];
    for (const role of view.roles.filter((card) => card.active)) {
      const profile = config.profiles.find((candidate) => candidate.id === config.assignments[role.id]);
      const file = roleToAgentFile(role, profile);
      await fs.writeFile(path.join(folder, file.fileName), file.content, 'utf8');
      written.push(file.fileName);
    }
    await fs.writeFile(path.join(folder, ROLES_FILE_NAME), rolesFileContent(config), 'utf8');
    this.options.dialogs.showInfo(`Exported ${written.length} roles to ${folder}: ${written.join(', ')}, and the workflow with every role in ${ROLES_FILE_NAME}.`);
  }

  onDidChange(listener: () => void): Disposable {
    return this.emitter.on('changed', listener);
  }

  dispose(): void {
    this.configSubscription.dispose();
    this.emitter.removeAllListeners();
  }
}

async function readAgentFile(file: string): Promise<ReturnType<typeof parseAgentFile>> {
  const name = path.basename(file);
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return { ok: false, problem: `${name}: not a file.` };
    if (stat.size > MAX_AGENT_FILE_BYTES) return { ok: false, problem: `${name}: the file is larger than ${MAX_AGENT_FILE_BYTES / 1000} kB.` };
    return parseAgentFile(name, await fs.readFile(file, 'utf8'));
  } catch (error) {
    return { ok: false, problem: `${name}: could not be read (${describeError(error)}).` };
  }
}

/** A roles file, validated by the engine's schema; every problem is one line naming the file. */
async function readRolesFile(file: string): Promise<{ ok: true; config: RolesConfig } | { ok: false; problem: string }> {
  const name = path.basename(file);
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return { ok: false, problem: `${name}: not a file.` };
    if (stat.size > MAX_ROLES_FILE_BYTES) return { ok: false, problem: `${name}: the file is larger than ${MAX_ROLES_FILE_BYTES / 1000} kB.` };
  } catch (error) {
    return { ok: false, problem: `${name}: could not be read (${describeError(error)}).` };
  }
  try {
    return { ok: true, config: await loadRolesConfigFile(file) };
  } catch (error) {
    // The engine names the file by the path it was given; the user knows it by its name.
    const message = error instanceof Error ? error.message.split(file).join(name) : describeError(error);
    return { ok: false, problem: message.endsWith('.') ? message : `${message}.` };
  }
}

/**
 * Imported agents onto a configuration: a built-in role takes the file's prompt and description;
 * another name becomes (or updates) a custom role; a model becomes the role's profile, reusing a
 * profile on the same provider and model.
 */
export function mergeImported(config: RolesConfig, agents: readonly ParsedAgentFile[]): RolesConfig {
  const roles = config.roles.map((role) => ({ ...role }));
  const profiles = [...config.profiles];
  const assignments = { ...config.assignments };
  for (const agent of agents) {
    const description = agent.description ? clip(agent.description, DESCRIPTION_MAX) : undefined;
    const existing = roles.find((role) => role.id === agent.roleId);
    const change: Partial<RoleOverride> = { prompt: agent.prompt, ...(description ? { description } : {}) };
    if (existing) Object.assign(existing, change);
    else if (builtinRole(agent.roleId)) roles.push({ id: agent.roleId, ...change });
    else {
      roles.push({
        id: agent.roleId,
        name: titleCase(agent.roleId),
        description: description ?? `Imported from the Kilo agent file ${agent.roleId}.md.`,
        category: 'custom',
        prompt: agent.prompt,
        active: true,
        instances: 1,
      });
    }
    if (agent.model) assignments[agent.roleId] = profileFor(agent.model, profiles).id;
  }
  return { ...config, profiles, roles, assignments };
}

function profileFor(model: { providerID: string; modelID: string }, profiles: Profile[]): Profile {
  const found = profiles.find((profile) => profile.providerID === model.providerID && profile.modelID === model.modelID && !profile.baseURL);
  if (found) return found;
  const base = profileIdFor(model.providerID, model.modelID);
  let id = base;
  for (let n = 2; profiles.some((profile) => profile.id === id); n++) id = `${base.slice(0, 60)}-${n}`;
  const profile: Profile = { id, label: `${model.providerID}/${model.modelID}`.slice(0, 80), providerID: model.providerID, modelID: model.modelID };
  profiles.push(profile);
  return profile;
}

function titleCase(roleId: string): string {
  return roleId
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ')
    .slice(0, 60);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

