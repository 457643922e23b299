import type { Post, Thread } from '@bmet/contracts';

/** Markdown as one line of plain text, cut at a word near `max` characters: meta descriptions. */
export function plainExcerpt(markdown: string, max = 160): string {
  const text = markdown
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^\s{0,3}(?:#{1,6}|>|[-+*]|\d+\.)\s+/gm, '')
    .replace(/[*_`~|]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** JSON for a `<script type="application/ld+json">`: nothing in it can end the script element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/**
 * schema.org QAPage for a question with an accepted answer (what search engines show as a
 * solved Q&A), as the whole script element. Null when the page does not hold both posts.
 */
export function qaPageJsonLd(origin: string, thread: Thread, question: Post | undefined, answer: Post | undefined): string | null {
  if (thread.kind !== 'question' || !thread.solved || question === undefined || answer === undefined) return null;
  const url = `${origin}/t/${thread.id}`;
  const person = (p: Post) => ({
    '@type': 'Person',
    name: p.author.displayName,
    url: `${origin}/u/${encodeURIComponent(p.author.username)}`
  });
  const data = {
    '@context': 'https://schema.org',
    '@type': 'QAPage',
    mainEntity: {
      '@type': 'Question',
      name: thread.title,
      text: plainExcerpt(question.bodyMarkdown, 2000),
      answerCount: thread.replyCount,
      upvoteCount: question.score,
      dateCreated: question.createdAt,
      author: person(question),
      acceptedAnswer: {
        '@type': 'Answer',
        text: plainExcerpt(answer.bodyMarkdown, 2000),
        dateCreated: answer.createdAt,
        upvoteCount: answer.score,
        url: `${url}?at=${answer.id}#p${answer.id}`,
        author: person(answer)
      }
    }
  };
  return `<script type="application/ld+json">${scriptJson(data)}</script>`;
}
