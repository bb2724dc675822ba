/** GRPO math as pure functions over tensors (METHOD.md §8–10). */
export * from './advantages.js';
export * from './aggregate.js';
export * from './kl.js';
export * from './loss.js';
export * from './masked.js';
export * from './policy_loss.js';
