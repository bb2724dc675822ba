"""Peer for bench/grpo_step.ts: whole GRPO steps with TRL's GRPOTrainer (transformers generate,
no vLLM) on the same world SFT checkpoint, prompts and hyper-parameters as our side: 16 prompts x
8 samples per step, max 96 new tokens, T 0.7, top_p 1, KL (k3) 0.01 against the frozen
reference, fp32 on the CPU, lr 1e-4 constant, clip 0.2/0.3, one optimizer step per GRPO step
(4 micro-batches of 32 completions, token mean per micro-batch: loss_type bnpo), no PPO epochs
(old log-probs skipped, as on our side), accuracy 0.9 + CoT format 0.1.
stdin: JSON {model, threads, steps, prompts_per_step, n, max_new, temperature, beta, lr, micro, rows: [{content,
images, answer, text}]}; `content` is our user turn (text and image parts), `text` what our chat
template renders of it (checked here against the processor's rendering).
Prints one JSON line {startup_s, cpu, steps: [{s, rollout, ref, old, update, completion_tokens,
prompt_tokens, reward, accuracy}]}: each step's wall seconds (from the previous step's end, so the
batch fetch and logging are in), per phase: generate (the policy's `generate`), reference log-probs,
old log-probs (none when on-policy), update (forward + backward of the micro-batches, clipping,
AdamW: the step's time outside `_generate_and_score_completions`); cpu = CPU s / wall s over the
steps."""
import json
import os
import re
import resource
import sys
import tempfile
import time

T0 = time.perf_counter()
import torch  # noqa: E402
from datasets import Dataset  # noqa: E402
from PIL import Image  # noqa: E402
from transformers import TrainerCallback  # noqa: E402
from trl import GRPOConfig, GRPOTrainer  # noqa: E402

req = json.load(sys.stdin)
torch.set_num_threads(req["threads"])
now = time.perf_counter


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def boxed(text):
    """Content of the last closed \\boxed{...} (braces matched), or None."""
    i = text.rfind("\\boxed{")
    if i < 0:
        return None
    depth, j = 0, i + len("\\boxed")
    for k in range(j, len(text)):
        depth += {"{": 1, "}": -1}.get(text[k], 0)
        if depth == 0:
            return text[j + 1 : k]
    return None


def normalize(text):
    # Our graders' whitespace normalisation around tags (lib/rewards/normalize_response.ts).
    return re.sub(r"\s*(<|>|/)\s*", r"\1", text)


COT = re.compile(r"<think>.*?</think>\s*\\boxed\{.*?\}\s*", re.S)


def accuracy(completions, answer, **_):
    out = []
    for c, a in zip(completions, answer):
        b = boxed(normalize(c[0]["content"]))
        out.append(1.0 if b is not None and b.strip().lower() == a.strip().lower() else 0.0)
    return out


def cot_format(completions, **_):
    return [1.0 if COT.fullmatch(normalize(c[0]["content"])) else 0.0 for c in completions]


def dataset(rows):
    # Image parts carry text None after Arrow unifies the part structs; the chat template checks the type first.
    return Dataset.from_list([{
        "prompt": [{"role": "user", "content": r["content"]}],
        "images": [Image.open(p).convert("RGB") for p in r["images"]],
        "answer": r["answer"],
    } for r in rows])


def config(out_dir):
    seqs = req["prompts_per_step"] * req["n"]
    return GRPOConfig(
        output_dir=out_dir, use_cpu=True, bf16=False, fp16=False, report_to=[], save_strategy="no", logging_steps=1,
        disable_tqdm=True, seed=1, max_steps=req["steps"], shuffle_dataset=False, dataloader_num_workers=0,
        per_device_train_batch_size=req["micro"], gradient_accumulation_steps=seqs // req["micro"],
        num_generations=req["n"], max_completion_length=req["max_new"], temperature=req["temperature"], top_p=1.0, top_k=0,
        beta=req["beta"], learning_rate=req["lr"], lr_scheduler_type="constant", warmup_steps=0, weight_decay=0.01,
        max_grad_norm=1.0, epsilon=0.2, epsilon_high=0.3, loss_type="bnpo", scale_rewards="group", num_iterations=1,
        gradient_checkpointing=False, reward_weights=[0.9, 0.1], model_init_kwargs={"dtype": "float32"},
    )


class Clock:
    """Per-step seconds by phase and token counts, filled by the wrappers below and the callback."""

    def __init__(self):
        self.cur, self.steps, self.rewards = {}, [], []

    def add(self, k, v):
        self.cur[k] = self.cur.get(k, 0.0) + v

    def timed(self, key, fn, pick=None):
        def run(*a, **kw):
            t = now()
            out = fn(*a, **kw)
            self.add(key(*a) if callable(key) else key, now() - t)
            if pick:
                pick(out)
            return out
        return run


def instrument(trainer, clock):
    """Times the policy's generate, each log-prob pass by model (ref / old = policy under no_grad), and
    _generate_and_score_completions (generation, scoring, rewards, advantages); counts tokens."""
    def count(out):  # _generate returns (prompt_ids, completion_ids, ...)
        clock.add("prompt_tokens", sum(len(p) for p in out[0]))
        clock.add("completion_tokens", sum(len(c) for c in out[1]))

    trainer.model.generate = clock.timed("rollout", trainer.model.generate)
    trainer._generate = clock.timed("generate_call", trainer._generate, count)
    ref = trainer.ref_model
    lp = trainer._get_per_token_logps_and_entropies

    def kind(model, *_):
        return "ref" if model is ref else ("old" if not torch.is_grad_enabled() else "policy_fwd")

    trainer._get_per_token_logps_and_entropies = clock.timed(kind, lp)
    trainer._generate_and_score_completions = clock.timed("prepare", trainer._generate_and_score_completions)


class StepTimes(TrainerCallback):
    def __init__(self, clock):
        self.clock = clock

    def on_train_begin(self, args, state, control, **kw):
        self.prev, self.cpu0, self.wall0 = now(), cpu_seconds(), now()

    def on_step_begin(self, args, state, control, **kw):
        self.begin = now()

    def on_step_end(self, args, state, control, **kw):
        t, c = now(), self.clock.cur
        inside = t - self.begin
        self.clock.steps.append({
            "s": t - self.prev, "rollout": c.get("rollout", 0.0), "ref": c.get("ref", 0.0), "old": c.get("old", 0.0),
            "update": inside - c.get("prepare", 0.0), "completion_tokens": c.get("completion_tokens", 0),
            "prompt_tokens": c.get("prompt_tokens", 0), **(self.clock.rewards.pop() if self.clock.rewards else {}),
        })
        self.clock.cur, self.prev = {}, t

    def on_train_end(self, args, state, control, **kw):
        self.cpu = (cpu_seconds() - self.cpu0) / (now() - self.wall0)


def main():
    rows = req["rows"]
    clock = Clock()

    def acc_logged(completions, answer, **kw):
        a, f = accuracy(completions, answer), cot_format(completions)
        clock.rewards.append({"accuracy": sum(a) / len(a), "reward": sum(0.9 * x + 0.1 * y for x, y in zip(a, f)) / len(a)})
        return a

    acc_logged.__name__ = "accuracy"
    cb = StepTimes(clock)
    with tempfile.TemporaryDirectory() as out_dir:
        trainer = GRPOTrainer(model=req["model"], reward_funcs=[acc_logged, cot_format], args=config(out_dir),
                              train_dataset=dataset(rows), callbacks=[cb])
        assert trainer.args.generation_batch_size == req["prompts_per_step"] * req["n"], trainer.args.generation_batch_size
        check_prompt(trainer, rows[0])
        instrument(trainer, clock)
        startup = now() - T0
        trainer.train()
    print(json.dumps({"startup_s": startup, "cpu": cb.cpu, "steps": clock.steps}))


def check_prompt(trainer, row):
    """The processor's rendering of our user turn must be the text our chat template rendered."""
    got = trainer.processing_class.apply_chat_template([{"role": "user", "content": row["content"]}], tokenize=False, add_generation_prompt=True)
    if got != row["text"]:
        raise SystemExit(f"prompt mismatch:\n ours {row['text']!r}\n TRL  {got!r}")


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
