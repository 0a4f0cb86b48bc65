// What bench/run.mjs loads (bundled) to turn the benches' lines into the document and the page.
export { DOCUMENT_BENCHES, GROUP_BENCHES, buildDocument } from './buildGroups';
export { failedGroups } from './benchmarkDocument';
export { renderBenchmarks } from './benchmarkMarkdown';
