import type { Renderer } from '@bmet/markdown';

let renderer: Promise<Renderer> | null = null;

/**
 * The same renderer the server uses on write, created once and only in the browser, loaded on
 * the first preview so pages that never preview do not ship marked and DOMPurify up front.
 */
export function previewRenderer(): Promise<Renderer> {
  renderer ??= import('@bmet/markdown').then((m) => m.createRenderer(window));
  return renderer;
}
