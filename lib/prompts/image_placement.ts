/**
 * Where the image goes in the pass-1 prompt (`RLHFDataset._prefix_image_token`, docs/method.md, "Image placement").
 */
import { pyRstrip } from '../text/py.js';

export const IMAGE_TOKEN = '<image>';

/**
 * For rows of a dataset with images: exactly one `<image>` is removed, the text right-stripped
 * and `<image>` appended at the very end (no space); none gets `<image>` appended; two or more
 * are left where they are. Without images the problem is unchanged. The format prompt is applied
 * afterwards, so the image ends up between the question and the instructions.
 */
export function prefixImageToken(problem: string, hasImages: boolean): string {
  if (!hasImages) return problem;
  const count = problem.split(IMAGE_TOKEN).length - 1;
  if (count === 1) return pyRstrip(problem.split(IMAGE_TOKEN).join('')) + IMAGE_TOKEN;
  if (count === 0) return problem + IMAGE_TOKEN;
  return problem;
}
