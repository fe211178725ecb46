/**
 * Run as a child process by the tests: starts the backend that the environment asks for
 * (GENLOOM_BACKEND, GENLOOM_WASM_THREADS), computes one matmul, prints the choice as JSON and
 * returns without `process.exit()`, so the test sees whether anything keeps Node alive.
 * With `--release` it calls `releaseBackend()` first.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, releaseBackend } from '../index.js';

const info = await initBackend();
const a = tf.tensor2d([[1, 2], [3, 4]]);
const product = await tf.matMul(a, a).data();
const released = process.argv.includes('--release') ? await releaseBackend() : [];
process.stdout.write(`${JSON.stringify({ backend: info.backend, threads: info.threads, product: Array.from(product), released })}\n`);
