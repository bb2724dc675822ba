/**
 * A checkpoint folder's full inference stack in one object: model, tokenizer, chat template
 * and image processor, with a chat-style `generate` (used by `vsr1 generate`).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as torch from '../../torch/index.js';
import { type ChatContentPart, type ChatTemplate, loadChatTemplate } from '../../tokenizer/chat_template.js';
import { expandImagePadIds } from '../../tokenizer/image_pad.js';
import { QwenTokenizer } from '../../tokenizer/tokenizer.js';
import { Qwen2VLImageProcessor } from './image_processor.js';
import { type ModelOptions, QwenVLModel } from './model.js';

export interface ChatGenerateOptions {
  maxNewTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  greedy?: boolean;
  seed?: number;
  /** Receives the decoded text as it grows. */
  onText?: (delta: string) => void;
}

export class VisionLanguagePipeline {
  private constructor(readonly model: QwenVLModel, readonly tokenizer: QwenTokenizer, readonly template: ChatTemplate, readonly processor: Qwen2VLImageProcessor) {}

  static async load(dir: string, o: ModelOptions = {}): Promise<VisionLanguagePipeline> {
    const model = await QwenVLModel.load(dir, o);
    try {
      const tokenizer = await QwenTokenizer.fromDir(dir);
      const { template } = await loadChatTemplate(dir, { prefer: 'processor', fallback: true });
      const ppFile = path.join(dir, 'preprocessor_config.json');
      const processor = existsSync(ppFile) ? Qwen2VLImageProcessor.fromConfig(JSON.parse(readFileSync(ppFile, 'utf8'))) : new Qwen2VLImageProcessor();
      return new VisionLanguagePipeline(model, tokenizer, template, processor);
    } catch (e) {
      model.dispose();
      throw e;
    }
  }

  /** One user turn (images first, then the text, as Qwen's examples do) -> the assistant's reply. */
  async chat(prompt: string, images: string[] = [], o: ChatGenerateOptions = {}): Promise<string> {
    const parts: ChatContentPart[] = [...images.map(() => ({ type: 'image' as const })), { type: 'text', text: prompt }];
    const text = this.template.render([{ role: 'user', content: parts }], { addGenerationPrompt: true });
    const processed = images.length ? await this.processor.process(images, { labels: images }) : null;
    const grids = processed?.imageGridThw ?? [];
    const ids = expandImagePadIds(this.tokenizer.encode(text), grids, { imagePadId: this.model.config.imageTokenId, mergeSize: this.model.config.vision.spatialMergeSize });
    const pixels = processed ? torch.tensor(processed.pixelValues, { shape: [processed.numPatches, processed.patchDim] }) : undefined;
    const made: number[] = [];
    let shown = '';
    try {
      const out = await this.model.generate({
        inputIds: [ids], pixelValues: pixels, imageGridThw: grids.map((g) => [...g]), maxNewTokens: o.maxNewTokens ?? 256,
        temperature: o.temperature ?? 1, topP: o.topP ?? 1, topK: o.topK ?? -1, greedy: o.greedy ?? false, seed: o.seed ?? 0,
        logitBias: { [this.model.config.imageTokenId]: -100 },
        onToken: o.onText ? (_s, t) => {
          made.push(t[0]);
          const now = this.tokenizer.decode(made, { skipSpecialTokens: true });
          if (now.startsWith(shown) && now.length > shown.length) o.onText!(now.slice(shown.length));
          shown = now;
        } : undefined,
      });
      return this.tokenizer.decode(out.sequences[0], { skipSpecialTokens: true });
    } finally {
      pixels?.dispose();
    }
  }

  dispose(): void { this.model.dispose(); }
}
