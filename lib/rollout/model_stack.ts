/**
 * A policy's full stack from checkpoint folders: the model (weights from `weightsDir`), and the
 * tokenizer, chat template and image processor that feed it (from `frontDir`, usually the same
 * folder), wrapped in a PromptEncoder. Shared by the SFT and GRPO trainers and evaluation.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Qwen2VLImageProcessor } from '../models/qwen2_5_vl/image_processor.js';
import { QwenVLModel } from '../models/qwen2_5_vl/model.js';
import { loadChatTemplate } from '../tokenizer/chat_template.js';
import { QwenTokenizer } from '../tokenizer/tokenizer.js';
import type { DType } from '../torch/dtype.js';
import { PromptEncoder } from './collate.js';

export interface ModelStack {
  model: QwenVLModel;
  tokenizer: QwenTokenizer;
  encoder: PromptEncoder;
}

export interface ModelStackOptions {
  weightsDir: string;
  /** Folder with tokenizer.json, the chat template and preprocessor_config.json (default weightsDir). */
  frontDir?: string;
  dtype: DType;
  device: string;
  /** Pixel budget applied before the processor (EasyR1's pre-resize, docs/method.md, "Pre-resize"). */
  minPixels: number;
  maxPixels: number;
}

export async function loadStack(o: ModelStackOptions): Promise<ModelStack> {
  const frontDir = o.frontDir ?? o.weightsDir;
  const model = await QwenVLModel.load(o.weightsDir, { dtype: o.dtype, device: o.device });
  try {
    const tokenizer = await QwenTokenizer.fromDir(frontDir);
    const { template } = await loadChatTemplate(frontDir, { prefer: 'processor', fallback: true });
    const pp = join(frontDir, 'preprocessor_config.json');
    const processor = existsSync(pp) ? Qwen2VLImageProcessor.fromConfig(JSON.parse(readFileSync(pp, 'utf8'))) : new Qwen2VLImageProcessor();
    const encoder = new PromptEncoder(tokenizer, template, processor, {
      imageTokenId: model.config.imageTokenId,
      mergeSize: model.config.vision.spatialMergeSize,
      preResize: { minPixels: o.minPixels, maxPixels: o.maxPixels },
    });
    return { model, tokenizer, encoder };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
