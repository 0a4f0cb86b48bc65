// Read by svelte-check (npm run typecheck). vscode-button and vscode-tab-header are custom elements
// that carry their own role and keyboard handling, which Svelte's a11y checks cannot see.
const CUSTOM_ELEMENT_FALSE_POSITIVES = new Set(['a11y_click_events_have_key_events', 'a11y_no_static_element_interactions']);

export default {
  compilerOptions: {
    warningFilter: (warning) => !(CUSTOM_ELEMENT_FALSE_POSITIVES.has(warning.code) && /`<vscode-[a-z-]+>`/.test(warning.message)),
  },
};
