/**
 * `vsr1 pipeline --quick`: the main job cut to about two minutes on 2 cores, for a first look
 * that every stage runs (world, SFT, Vision-SR1 GRPO, evaluation, table and curves). A small
 * world, a short SFT and a few GRPO steps teach the tiny model little: its numbers say that the
 * job works, not what the method does (the full `vsr1 pipeline` does that).
 */
export const QUICK = {
  sft: ['data.world.size=3000', 'trainer.max_steps=150', 'trainer.val_freq=-1', 'trainer.save_freq=-1', 'trainer.log_freq=25', 'optim.lr_warmup_steps=15'],
  train: ['trainer.max_steps=6', 'trainer.val_before_train=false', 'trainer.val_freq=-1', 'trainer.save_freq=-1'],
  evalItems: 150,
} as const;
