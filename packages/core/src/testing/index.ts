export { runContractSuite } from './contract.js';
export type { ContractSuiteOptions } from './contract.js';
