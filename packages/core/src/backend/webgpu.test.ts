import { describe, expect, it } from 'vitest';
import { isSoftwareAdapter } from './index.js';
import { describeImportError } from './environment.js';

describe('isSoftwareAdapter', () => {
  it('recognises CPU rasterisers by flag or by name', () => {
    // What Dawn reports for Mesa 25's llvmpipe on this machine.
    const llvmpipe = {
      vendor: 'mesa',
      architecture: 'software',
      device: 'llvmpipe-llvm-15-0-6-256-bits-',
      description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1',
      isFallbackAdapter: true,
    };
    expect(isSoftwareAdapter(llvmpipe)).toBe(true);
    expect(isSoftwareAdapter({ ...llvmpipe, isFallbackAdapter: false })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'google', description: 'SwiftShader Device (Subzero)' })).toBe(true);
    expect(isSoftwareAdapter({ description: 'Microsoft Basic Render Driver' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', description: 'lavapipe' })).toBe(true);
    expect(isSoftwareAdapter({}, true)).toBe(true);
  });

  it('accepts hardware adapters', () => {
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'ada-lovelace', description: 'NVIDIA L4' })).toBe(false);
    expect(isSoftwareAdapter({ vendor: 'intel', architecture: 'gen-12lp', description: 'Intel(R) Iris(R) Xe Graphics' })).toBe(false);
    expect(isSoftwareAdapter({ vendor: 'apple', architecture: 'metal-3', description: 'Apple M2' })).toBe(false);
    expect(isSoftwareAdapter({ vendor: 'amd', description: 'AMD Radeon RX 7900 XTX (RADV NAVI31)' })).toBe(false);
  });
});

describe('describeImportError', () => {
  it('says "not installed" for a missing package, in Node and in vitest wording', () => {
    const node = Object.assign(new Error("Cannot find package '@tensorflow/tfjs-node' imported from /x.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    expect(describeImportError('@tensorflow/tfjs-node', node)).toBe('not installed (optional package @tensorflow/tfjs-node)');
    const vite = new Error('Could not resolve "@tensorflow/tfjs-node" imported by "@genloom/core".');
    expect(describeImportError('@tensorflow/tfjs-node', vite)).toBe('not installed (optional package @tensorflow/tfjs-node)');
  });

  it('keeps the first line of any other failure (a native library that does not load)', () => {
    const err = new Error('libcudart.so.11.0: cannot open shared object file\n    at Module._extensions..node');
    expect(describeImportError('@tensorflow/tfjs-node-gpu', err)).toBe(
      '@tensorflow/tfjs-node-gpu failed to load: libcudart.so.11.0: cannot open shared object file',
    );
  });
});
