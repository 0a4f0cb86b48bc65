import fs from 'node:fs';
import * as vscode from 'vscode';
import { buildDashboardHtml, newNonce } from './dashboardHtml';
import { DashboardConnection } from './dashboardConnection';
import type { DashboardHostDeps } from './webviewRequests';

export interface DashboardPanelDeps extends DashboardHostDeps {
  extensionUri: vscode.Uri;
}

export interface DashboardFocus {
  tab: 'run' | 'roles';
  agentId?: string;
}

/**
 * The dashboard's webview panel: one at a time, restored after a window reload through a panel
 * serializer. Thin on purpose: the page is `dashboardHtml.ts`, the conversation with the webview
 * `DashboardConnection`. The context is not retained while hidden; the webview asks again with
 * `ready` and gets the whole state back.
 */
export class DashboardPanel {
  static readonly viewType = 'kiloOrchestra.dashboard';
  private static deps: DashboardPanelDeps | undefined;
  private static current: DashboardPanel | undefined;

  private readonly connection: DashboardConnection;
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    deps: DashboardPanelDeps,
  ) {
    const webviewRoot = vscode.Uri.joinPath(deps.extensionUri, 'dist', 'webview');
    panel.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot] };
    this.connection = new DashboardConnection({ deps, post: (message) => void panel.webview.postMessage(message) });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.connection.receive(raw)),
      panel.onDidChangeViewState(({ webviewPanel }) => {
        if (!webviewPanel.visible) this.connection.webviewReset();
      }),
      panel.onDidDispose(() => this.disposeResources()),
    );
    panel.webview.html = DashboardPanel.html(panel.webview, webviewRoot);
  }

  /** Registers the serializer that brings the panel back after a reload; call once on activation. */
  static register(context: vscode.ExtensionContext, deps: DashboardPanelDeps): vscode.Disposable {
    DashboardPanel.deps = deps;
    const serializer = vscode.window.registerWebviewPanelSerializer(DashboardPanel.viewType, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => {
        DashboardPanel.current?.panel.dispose();
        DashboardPanel.current = new DashboardPanel(panel, deps);
      },
    });
    const registration = vscode.Disposable.from(serializer, { dispose: () => DashboardPanel.current?.panel.dispose() });
    context.subscriptions.push(registration);
    return registration;
  }

  /** Opens the panel (or brings it forward), optionally on one tab and agent. */
  static show(focus?: DashboardFocus): void {
    const deps = DashboardPanel.deps;
    if (!deps) throw new Error('DashboardPanel.register must be called before show.');
    let current = DashboardPanel.current;
    if (current) {
      current.panel.reveal(undefined, false);
    } else {
      const panel = vscode.window.createWebviewPanel(
        DashboardPanel.viewType,
        'Kilo Orchestra',
        { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
        { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [vscode.Uri.joinPath(deps.extensionUri, 'dist', 'webview')] },
      );
      current = DashboardPanel.current = new DashboardPanel(panel, deps);
    }
    if (focus) current.connection.focus(focus.tab, focus.agentId);
  }

  /** Whether the panel exists and is visible (for the status bar and host tests). */
  static state(): { open: boolean; visible: boolean } {
    const current = DashboardPanel.current;
    return { open: current !== undefined, visible: current?.panel.visible ?? false };
  }

  /** `deps.source()` now returns another run: follow it. */
  static sourceChanged(): void {
    DashboardPanel.current?.connection.sourceChanged();
  }

  private static html(webview: vscode.Webview, webviewRoot: vscode.Uri): string {
    const style = vscode.Uri.joinPath(webviewRoot, 'main.css');
    return buildDashboardHtml({
      cspSource: webview.cspSource,
      nonce: newNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'main.js')).toString(),
      // The Svelte build injects its CSS into main.js; link a stylesheet only when the build made one.
      ...(fs.existsSync(style.fsPath) ? { styleUri: webview.asWebviewUri(style).toString() } : {}),
    });
  }

  private disposeResources(): void {
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    this.connection.dispose();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
