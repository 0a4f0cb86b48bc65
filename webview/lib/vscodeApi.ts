/**
 * The object VS Code gives a webview through `acquireVsCodeApi()`. It may be acquired only once per
 * page, so `main.ts` acquires it and hands it to the bridge; tests hand in a fake.
 */
export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  // Present only inside a VS Code webview (and in the static test page that fakes it).
  function acquireVsCodeApi(): VsCodeApi;
}
