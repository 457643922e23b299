/**
 * Node entry: renders with a single, lazily created jsdom window.
 */
import { JSDOM } from 'jsdom';
import { createRenderer, type Renderer, type WindowLike } from './index.ts';

export * from './index.ts';

let renderer: Renderer | null = null;

function getRenderer(): Renderer {
  if (renderer === null) {
    const { window } = new JSDOM('<!DOCTYPE html><html><head></head><body></body></html>');
    renderer = createRenderer(window as unknown as WindowLike);
  }
  return renderer;
}

/** Render untrusted markdown to sanitized HTML (server side). */
export function renderMarkdown(markdown: string): string {
  return getRenderer().render(markdown);
}
