/** The forms a post can open in place: one at a time in the whole thread. */
export type Panel = 'reply' | 'edit' | 'delete' | 'report';
export const PANELS: readonly Panel[] = ['reply', 'edit', 'delete', 'report'];

export function isPanel(value: string | undefined): value is Panel {
  return (PANELS as readonly string[]).includes(value ?? '');
}

/** The page of one form for one post: where its link goes without JavaScript. */
export function panelHref(threadId: string, postId: string, panel: Panel): string {
  return `/t/${encodeURIComponent(threadId)}/post/${encodeURIComponent(postId)}/${panel}`;
}
