import type { RolesDialogs } from '../../../extension/config/rolesController';

/** Dialogs that answer with what the test prepared and record the notifications. */
export class FakeRolesDialogs implements RolesDialogs {
  info: string[] = [];
  constructor(
    private readonly folder?: string,
    private readonly files?: string[],
  ) {}
  async pickFolder() {
    return this.folder;
  }
  async pickFiles() {
    return this.files;
  }
  showInfo(message: string) {
    this.info.push(message);
  }
}
