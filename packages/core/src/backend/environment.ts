/**
 * Where the code runs and how to reach modules that may be absent. Kept apart from the backend
 * attempts so that each of those reads as "import, check, set".
 */

/**
 * True in Node (and in Node-like runtimes that expose `process.versions.node`).
 *
 * @example
 * ```ts
 * const order = backendOrder(isNodeRuntime() ? 'node' : 'browser');
 * ```
 */
export function isNodeRuntime(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/**
 * The process environment in Node; an empty object in a browser.
 *
 * @example
 * ```ts
 * const forced = processEnv().GENLOOM_BACKEND; // undefined in a browser
 * ```
 */
export function processEnv(): Record<string, string | undefined> {
  return typeof process !== 'undefined' && process.env ? process.env : {};
}

/**
 * Imports a module whose name bundlers must not try to resolve: Node-only packages (`webgpu`,
 * `@tensorflow/tfjs-node`) and `node:` builtins. The name goes through a variable so Vite and
 * esbuild leave the `import()` as it is instead of failing when the package is not installed.
 *
 * @example
 * ```ts
 * const { create } = await importRuntime<{ create(flags: string[]): unknown }>('webgpu');
 * ```
 */
export async function importRuntime<T = unknown>(specifier: string): Promise<T> {
  const name = specifier;
  return (await import(/* @vite-ignore */ /* webpackIgnore: true */ name)) as T;
}

/**
 * Says why an import failed in one short phrase: "not installed" for a missing package, the
 * runtime's message otherwise (a native library that will not load, a missing CUDA…).
 *
 * @example
 * ```ts
 * try { await importRuntime('@tensorflow/tfjs-node'); }
 * catch (e) { describeImportError('@tensorflow/tfjs-node', e); } // 'not installed (optional package @tensorflow/tfjs-node)'
 * ```
 */
export function describeImportError(specifier: string, err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = e?.message ?? String(err);
  const missing =
    e?.code === 'ERR_MODULE_NOT_FOUND' ||
    e?.code === 'MODULE_NOT_FOUND' ||
    // Node: "Cannot find package"; Vite / vitest: "Could not resolve", "Failed to resolve import".
    /Cannot find (package|module)|Could not resolve|Failed to (resolve|load url)/.test(message);
  if (missing && message.includes(specifier)) {
    return `not installed (optional package ${specifier})`;
  }
  return `${specifier} failed to load: ${firstLine(message)}`;
}

/**
 * The first line of a message, trimmed: tfjs and emscripten errors carry long stacks.
 *
 * @example
 * ```ts
 * firstLine('no adapter\n    at foo (x.js:1)'); // 'no adapter'
 * ```
 */
export function firstLine(message: string): string {
  return (message.split('\n').find((l) => l.trim() !== '') ?? message).trim();
}

/**
 * Converts anything thrown (emscripten rejects with plain objects) into a message.
 *
 * @example
 * ```ts
 * errorMessage({ message: 'Make sure the server can serve the .wasm file' }); // that message
 * ```
 */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err && typeof err === 'object' && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}
