/** `vsr1 generate --model DIR [--image FILE ...] --prompt TEXT`: chat with a checkpoint, streaming tokens. */
import type { Command } from 'commander';
import { VisionLanguagePipeline } from '../models/qwen2_5_vl/pipeline.js';
import type { DType } from '../torch/dtype.js';

export function register(program: Command): void {
  program
    .command('generate')
    .description('generate a reply from a Qwen2.5-VL checkpoint folder for an image and a prompt, streaming tokens')
    .requiredOption('--model <dir>', 'Hugging Face checkpoint folder (config.json, safetensors, tokenizer, processor)')
    .requiredOption('--prompt <text>', 'the user prompt')
    .option('--image <file...>', 'image file(s), placed before the prompt')
    .option('--max-new-tokens <n>', 'maximum new tokens', '256')
    .option('--temperature <t>', 'sampling temperature (0 = greedy)', '0')
    .option('--top-p <p>', 'nucleus sampling threshold', '1')
    .option('--top-k <k>', 'top-k sampling (-1 = off)', '-1')
    .option('--seed <s>', 'sampling seed', '0')
    .option('--dtype <dtype>', 'float32 | bfloat16 | float16', 'float32')
    .option('--device <device>', 'cpu | cuda | cuda:N', 'cpu')
    .action(async (o) => {
      const pipe = await VisionLanguagePipeline.load(o.model, { dtype: o.dtype as DType, device: o.device });
      try {
        const temperature = Number(o.temperature);
        await pipe.chat(o.prompt, o.image ?? [], {
          maxNewTokens: Number(o.maxNewTokens), temperature, greedy: temperature === 0, topP: Number(o.topP), topK: Number(o.topK), seed: Number(o.seed),
          onText: (d) => process.stdout.write(d),
        });
        process.stdout.write('\n');
      } finally {
        pipe.dispose();
      }
    });
}
