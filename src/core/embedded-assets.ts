/**
 * runbooks/ and templates/ as text, keyed by their path from the package root ("runbooks/pitr.yaml").
 * Empty in a checkout, where the files are on disk; scripts/bundle.mjs fills it in for the one-file dist/pgdr.mjs.
 */
export const EMBEDDED_ASSETS: Readonly<Record<string, string>> = {};
