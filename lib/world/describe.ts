/**
 * Text pieces shared by the question families: the gold description of a scene and the noun
 * phrases that thinks use to name objects.
 *
 * The gold description lists every object left to right with size, colour, shape and band:
 *   "there are 2 shapes, from left to right: a small red circle at the top and a large blue
 *    square in the middle."
 * It holds everything any question family needs (counts, colours, shapes, order, bands,
 * sizes), so a text-only reader can answer from it: the self-reward of the method.
 */
import type { ObjectAttrs, Scene, SceneObject } from './scene.js';
import { PLURAL, ROW_PHRASE, type Shape } from './vocabulary.js';

/** "small red circle" */
export function objectName(o: ObjectAttrs): string {
  return `${o.size} ${o.colour} ${o.shape}`;
}

/** "a small red circle at the top" */
function describedObject(o: SceneObject): string {
  return `a ${objectName(o)} ${ROW_PHRASE[o.row]}`;
}

/** Joins phrases as "x", "x and y", "x, y and z". */
export function joinAnd(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** "the small red circle and the large red square" */
export function theList(objects: readonly ObjectAttrs[]): string {
  return joinAnd(objects.map((o) => `the ${objectName(o)}`));
}

/** "1 red shape", "2 red shapes", "1 circle", "0 circles". */
export function countOf(k: number, singular: string, plural: string): string {
  return `${k} ${k === 1 ? singular : plural}`;
}

/** "1 circle" / "3 circles" */
export function countShapes(k: number, shape: Shape): string {
  return countOf(k, shape, PLURAL[shape]);
}

/** "there is 1" / "there are 2" */
export function thereIs(k: number): string {
  return k === 1 ? 'there is' : 'there are';
}

/** The gold description of a scene (objects left to right). */
export function goldDescription(scene: Scene): string {
  const objs = scene.objects;
  if (objs.length === 1) return `there is 1 shape: ${describedObject(objs[0]!)}.`;
  return `there are ${objs.length} shapes, from left to right: ${joinAnd(objs.map(describedObject))}.`;
}
