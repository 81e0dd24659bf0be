import { findServerBinDir } from '../../src/sandbox/local-cluster.js';

export default function setup(): void {
  // Fail once, clearly, instead of in every file.
  findServerBinDir();
}
