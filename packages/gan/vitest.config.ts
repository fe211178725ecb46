export { default } from '@genloom/tooling/vitest';
