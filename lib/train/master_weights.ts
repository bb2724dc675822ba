/**
 * fp32 master copies for low-precision training (bf16/fp16 model weights, fp32 optimizer):
 * the addon has no autocast, so the model runs in its compute dtype and the optimizer updates
 * fp32 copies, which are then written back (DeepSpeed/verl keep fp32 masters the same way).
 */
import * as torch from '../torch/index.js';

export class MasterWeights {
  private constructor(readonly params: torch.Tensor[], readonly masters: torch.Tensor[]) {}

  /** fp32 leaf copies of `params` (which keep their own dtype). */
  static create(params: torch.Tensor[]): MasterWeights {
    const masters = torch.noGrad(() => params.map((p) => p.to('float32').detach().requiresGrad_(true)));
    return new MasterWeights(params, masters);
  }

  /** Moves each model gradient to its master as fp32 (null where the model has none). */
  syncGrads(): void {
    torch.noGrad(() => {
      this.params.forEach((p, i) => {
        const g = p.grad;
        if (g === null) {
          this.masters[i].grad = null;
          return;
        }
        const g32 = g.to('float32');
        this.masters[i].grad = g32;
        g32.dispose();
        g.dispose();
      });
    });
  }

  /** Writes the (updated) masters back into the model parameters. */
  syncWeights(): void {
    torch.noGrad(() => this.params.forEach((p, i) => { p.copy_(this.masters[i]); }));
  }

  /** Clears the model's own gradients (the optimizer clears the masters'). */
  zeroModelGrads(): void {
    for (const p of this.params) p.grad = null;
  }

  /** Saves the masters (safetensors, by index) so a resume continues from full precision. */
  save(file: string): void {
    torch.saveSafetensors(file, new Map(this.masters.map((m, i) => [`master.${i}`, m])), { format: 'vsr1-master-v1' });
  }

  load(file: string): void {
    torch.scope(() => {
      const ts = torch.loadSafetensors(file);
      torch.noGrad(() => this.masters.forEach((m, i) => {
        const t = ts.get(`master.${i}`);
        if (!t) throw new Error(`${file}: no master.${i} (the trainable parameters changed?)`);
        m.copy_(t);
      }));
    });
    this.syncWeights();
  }

  dispose(): void {
    for (const m of this.masters) m.dispose();
  }
}
