/** How many levels below the page's root are shown nested; deeper replies move to a subtree page. */
export const MAX_VISIBLE_DEPTH = 8;

interface TreePost {
  id: string;
  depth: number;
}

export interface VisibleTree<P> {
  posts: P[];
  /** Post id (at the cut-off depth) -> how many of its deeper replies this page left out. */
  hidden: Map<string, number>;
}

/**
 * Keeps the posts at most `maxDepth` levels below `rootDepth` and counts the deeper ones under
 * the post at the cut-off level they descend from. `posts` are in reading order (depth first),
 * so a deeper post always descends from the last cut-off post seen before it.
 */
export function limitDepth<P extends TreePost>(posts: P[], rootDepth: number, maxDepth = MAX_VISIBLE_DEPTH): VisibleTree<P> {
  const visible: P[] = [];
  const hidden = new Map<string, number>();
  let cutoff: string | null = null;
  for (const post of posts) {
    const rel = post.depth - rootDepth;
    if (rel > maxDepth) {
      // A page that starts mid-branch (a later page) may have no cut-off post of its own.
      if (cutoff !== null) hidden.set(cutoff, (hidden.get(cutoff) ?? 0) + 1);
      continue;
    }
    cutoff = rel === maxDepth ? post.id : null;
    visible.push(post);
  }
  return { posts: visible, hidden };
}
