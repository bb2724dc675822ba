/** vision-sr1: Vision-SR1 training of vision-language models in TypeScript on libtorch. */
export * as torch from './torch/index.js';
