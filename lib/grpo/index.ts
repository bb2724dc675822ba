/** GRPO math as pure functions over tensors (docs/method.md, "GRPO advantage", "Policy update" and "Multi-reward variant"). */
export * from './advantages.js';
export * from './aggregate.js';
export * from './kl.js';
export * from './loss.js';
export * from './masked.js';
export * from './policy_loss.js';
