/**
 * Which parameters train (docs/method.md, "Cold-start SFT": the cold-start SFT freezes the vision tower and the merger
 * and trains the language model; RL trains everything; docs/method.md, "Trainable parameters"). Names are the addon's
 * (transformers 5): model.visual.* (tower), model.visual.merger.* (the multi-modal projector),
 * model.language_model.* and lm_head.* (the language model).
 */

export interface FreezeOptions {
  freezeVisionTower?: boolean;
  freezeMultiModalProjector?: boolean;
  freezeLanguageModel?: boolean;
}

/** Part of the model a parameter belongs to. */
export function parameterPart(name: string): 'vision_tower' | 'merger' | 'language_model' {
  if (name.startsWith('model.visual.merger.')) return 'merger';
  if (name.startsWith('model.visual.')) return 'vision_tower';
  return 'language_model';
}

/** A name filter for QwenVLModel.setTrainable. */
export function trainableFilter(o: FreezeOptions): (name: string) => boolean {
  return (name) => {
    const part = parameterPart(name);
    if (part === 'vision_tower') return !o.freezeVisionTower;
    if (part === 'merger') return !o.freezeMultiModalProjector;
    return !o.freezeLanguageModel;
  };
}
