import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { register, splitSftArgs } from '../../lib/cli/sft.js';
import { QwenVLModel } from '../../lib/models/qwen2_5_vl/model.js';
import { loadChatTemplate, QWEN2_5_VL_CHAT_TEMPLATE } from '../../lib/tokenizer/chat_template.js';
import { QwenTokenizer } from '../../lib/tokenizer/tokenizer.js';
import { cleanup, tempDir } from './fixtures.js';

afterAll(cleanup);

async function vsr1(args: string[]): Promise<string[]> {
  const out: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { out.push(a.join(' ')); });
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out.push(String(s)); return true; });
  try {
    const program = new Command('vsr1').exitOverride();
    register(program);
    await program.parseAsync(['node', 'vsr1', ...args]);
  } finally {
    spy.mockRestore();
    write.mockRestore();
  }
  return out;
}

describe('vsr1 sft', () => {
  it('splits a config file from dotted overrides and names a missing config', () => {
    expect(splitSftArgs(['a.yaml', 'trainer.max_steps=3'])).toEqual({ config: 'a.yaml', overrides: ['trainer.max_steps=3'] });
    expect(splitSftArgs(['x.y=1'], 'b.yaml')).toEqual({ config: 'b.yaml', overrides: ['x.y=1'] });
    expect(() => splitSftArgs(['trainer.max_steps=3'])).toThrow(/no config/);
    expect(() => splitSftArgs(['a.yaml', 'b.yaml'])).toThrow(/one config file/);
  });

  it('a built-in run generates the world, creates the tiny checkpoint and trains from it', async () => {
    const root = tempDir();
    const world = join(root, 'world');
    const model = join(root, 'tiny-init');
    const cfg = join(root, 'world_sft.yaml');
    // the shipped config with its paths moved into the temp folder and the run shortened
    const text = readFileSync('configs/world_sft.yaml', 'utf8').replaceAll('runs/world/data', world).replaceAll('runs/world/tiny-init', model).replaceAll('runs/world/sft', join(root, 'sft'));
    writeFileSync(cfg, text);
    const over = ['data.world.size=60', 'trainer.max_steps=2', 'trainer.micro_batch_size_per_device=4', 'trainer.val_freq=-1', 'trainer.num_threads=1', 'data.val_files=[]'];
    const printed = (await vsr1(['sft', '--config', cfg, '--print-config', ...over])).join('');
    expect(printed).toContain('max_steps: 2');
    expect(existsSync(world)).toBe(false); // --print-config does nothing else
    const out = await vsr1(['sft', '--config', cfg, ...over]);
    expect(existsSync(join(world, 'manifest.json'))).toBe(true);
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'chat_template.json', 'preprocessor_config.json', 'generation_config.json']) {
      expect(existsSync(join(model, f)), f).toBe(true);
    }
    expect(out.some((l) => /created a random tiny-world checkpoint/.test(l))).toBe(true);
    expect(out.some((l) => /^sft: finished at step 2\/2/.test(l))).toBe(true);
    expect(existsSync(join(root, 'sft', 'global_step_2', 'model', 'model.safetensors'))).toBe(true);
    expect(existsSync(join(root, 'sft', 'latest_model', 'tokenizer.json'))).toBe(true);
    // the folder loads like any Qwen2.5-VL checkpoint
    const m = await QwenVLModel.load(model);
    const tok = await QwenTokenizer.fromDir(model);
    const { template } = await loadChatTemplate(model);
    expect(template.source).toBe(QWEN2_5_VL_CHAT_TEMPLATE);
    expect(m.config.text.vocabSize).toBe(tok.size);
    expect(m.config.imageTokenId).toBe(tok.specialIds.imagePad);
    const n = [...m.params.values()].reduce((a, p) => a + p.numel(), 0);
    expect(n).toBeGreaterThan(1.0e6);
    expect(n).toBeLessThan(1.4e6);
    m.dispose();
  }, 60_000);
});
