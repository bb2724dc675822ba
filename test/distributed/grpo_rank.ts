/**
 * One rank of the data-parallel GRPO tests (test/distributed/*.test.ts): runs `runGrpo` on the
 * config file given as argv[2] with a reward that varies with the response (a random tiny model
 * never writes the format, so the method's rewards would all be 0 and train nothing) and reads
 * pass 2. Writes its pid to argv[3] when given, so a test can kill this rank mid-run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadTrainConfig } from '../../lib/config/index.js';
import { runGrpo } from '../../lib/train/grpo/trainer.js';

const [cfgFile, pidFile] = process.argv.slice(2);
if (pidFile) writeFileSync(pidFile, String(process.pid));
const cfg = loadTrainConfig(JSON.parse(readFileSync(cfgFile, 'utf8')) as Record<string, unknown>, []);
const spread = (s: string, k: number) => (([...s].reduce((a, c) => a + c.charCodeAt(0), 0) * 7919) % k) / (k - 1);
await runGrpo(cfg, {
  log: (l) => console.log(l),
  reward: {
    components: [
      { name: 'text', reward: (x: { response: string }) => spread(x.response, 11), weight: 1 },
      { name: 'pass2', reward: (x: { pass2Response?: string }) => spread(x.pass2Response ?? '', 5), weight: 0.5, usesPass2: true },
    ],
  },
});
