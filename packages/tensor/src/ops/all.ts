// The op surface as one namespace, so tensor.ts can delegate its methods without import cycles
// at module-evaluation time.
export * from './creation.js';
export * from './views.js';
export * from './elementwise.js';
export * from './reduce.js';
export * from './matmul.js';
export * from './nn.js';
export * from './combine.js';
export * from './inplace.js';
export * from './move.js';
export { backward } from '../autograd/backward.js';
