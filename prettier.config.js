// Prettier for the code and hand-written config (.prettierignore keeps it off generated and golden files
// and off the Markdown). The settings are the ones the tree was written in; 140 columns changed the
// fewest files of 80/100/120/140 (Angular's long-standing tslint limit).
/** @type {import('prettier').Config} */
export default {
  printWidth: 140,
  singleQuote: true,
  overrides: [
    // Kubernetes manifests and Grafana provisioning files quote strings with double quotes, as upstream examples do.
    { files: '*.yaml', options: { singleQuote: false } },
  ],
};
