// Vision-SR1 GRPO with a loss of your own: Dr. GRPO's token sum. Each response's per-token PPO
// loss is summed and divided by a constant (the response budget) instead of by the response's
// own length, so long answers are not favoured by the averaging. Self-contained: it makes a small
// built-in world and a tiny random model in ./runs/custom-loss, then trains 2 RL steps on CPU.
import path from 'node:path';
import { createTinyCheckpoint, loadTrainConfig, torch, world } from 'vision-sr1';
import { ppoClipLossTensors, runGrpo, type PolicyLossHook } from 'vision-sr1/rl';

const out = path.resolve('runs', 'custom-loss');
await world.synthesizeWorld({ out: path.join(out, 'world'), sizes: world.splitSizes(400), settings: { seed: 0, prior: 0.8 } });
const model = createTinyCheckpoint(path.join(out, 'tiny-model'), { seed: 0, overwrite: true });

const RESPONSE_BUDGET = 64;
const drGrpoTokenSum: PolicyLossHook = (x) => torch.scope(() => {
  const { losses } = ppoClipLossTensors(x); // [B, R] clipped PPO loss per token
  const perResponse = losses.mul(x.responseMask).sum(1).div(RESPONSE_BUDGET);
  const loss = perResponse.mean().div(x.context.gradAccum); // accumulation over micro-batches
  return { loss, named: [['dr_grpo_loss', loss.detach()]] };
});

const cfg = loadTrainConfig('world_train', [
  `data.train_files=${path.join(out, 'world', 'rl.jsonl')}`, `data.val_files=${path.join(out, 'world', 'val.jsonl')}`,
  `worker.actor.model.model_path=${model}`, `trainer.save_checkpoint_path=${path.join(out, 'grpo')}`,
  'data.rollout_batch_size=4', 'worker.actor.global_batch_size=4', 'worker.rollout.n=4', 'worker.actor.micro_batch_size_per_device_for_update=8', `data.max_response_length=${RESPONSE_BUDGET}`,
  'trainer.max_steps=2', 'trainer.val_before_train=false', 'trainer.val_freq=-1', 'trainer.logger=[jsonl]',
]);
const result = await runGrpo(cfg, { loss: drGrpoTokenSum, log: () => {} });
console.log(`trained ${result.steps} steps with the Dr. GRPO token-sum loss; model in ${result.finalModelDir}`);
