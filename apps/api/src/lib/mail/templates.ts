/**
 * The forum's e-mails, each as a subject, a plain-text part and an HTML part. Everything a member
 * wrote (names, titles, excerpts) is escaped for HTML here, and header text is kept to one line
 * (`oneLine`), so nothing written on the forum can add a header or markup to a message.
 */

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

export interface Brand {
  forumName: string;
  publicUrl: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** Header text: no line breaks or other control characters (the header-injection guard), at most 200 characters. */
export function oneLine(text: string, max = 200): string {
  const flat = text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return [...flat].length > max ? `${[...flat].slice(0, max - 1).join('')}…` : flat;
}

function layout(brand: Brand, heading: string, bodyHtml: string, footerHtml: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(heading)}</title></head>
<body style="margin:0;padding:0;background:#f4f6f7;color:#1c2b30;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:16px;line-height:1.5">
<div style="max-width:600px;margin:0 auto;padding:16px">
<p style="margin:0 0 12px;font-weight:600;color:#0b5563"><a href="${esc(brand.publicUrl)}/" style="color:#0b5563;text-decoration:none">${esc(brand.forumName)}</a></p>
<div style="background:#ffffff;border-radius:8px;padding:20px;border:1px solid #d5dee1">
<h1 style="font-size:20px;margin:0 0 12px">${esc(heading)}</h1>
${bodyHtml}
</div>
<div style="font-size:13px;color:#4a5b61;margin-top:12px">${footerHtml}</div>
</div></body></html>`;
}

const button = (href: string, label: string) =>
  `<p style="margin:20px 0"><a href="${esc(href)}" style="display:inline-block;background:#0b5563;color:#ffffff;padding:10px 18px;border-radius:6px;text-decoration:none;font-weight:600">${esc(label)}</a></p>`;

const para = (text: string) => `<p style="margin:0 0 12px">${esc(text)}</p>`;

function actionMail(
  brand: Brand,
  input: { subject: string; heading: string; greeting: string; lines: string[]; link: string; label: string; after: string[] }
): MailContent {
  const text = [
    input.greeting,
    '',
    ...input.lines,
    '',
    `${input.label}: ${input.link}`,
    '',
    ...input.after,
    '',
    `-- ${brand.forumName}`,
    brand.publicUrl
  ].join('\n');
  const html = layout(
    brand,
    input.heading,
    para(input.greeting) +
      input.lines.map(para).join('') +
      button(input.link, input.label) +
      `<p style="margin:0 0 12px;font-size:14px;color:#4a5b61">Or paste this address into your browser: <span style="word-break:break-all">${esc(input.link)}</span></p>` +
      input.after.map(para).join(''),
    `You get this e-mail because of your account on ${esc(brand.forumName)}.`
  );
  return { subject: oneLine(input.subject), text, html };
}

export function verifyEmailMail(brand: Brand, input: { displayName: string; link: string }): MailContent {
  return actionMail(brand, {
    subject: `Confirm your e-mail address for ${brand.forumName}`,
    heading: 'Confirm your e-mail address',
    greeting: `Hello ${oneLine(input.displayName)},`,
    lines: ['Please confirm that this address is yours. Until you do, the forum sends you no notifications or digests by e-mail.'],
    link: input.link,
    label: 'Confirm my address',
    after: ['The link works for 48 hours. If you did not make an account, ignore this e-mail.']
  });
}

export function passwordResetMail(brand: Brand, input: { displayName: string; username: string; link: string }): MailContent {
  return actionMail(brand, {
    subject: `Reset your ${brand.forumName} password`,
    heading: 'Reset your password',
    greeting: `Hello ${oneLine(input.displayName)},`,
    lines: [`Someone asked to reset the password of the account ${oneLine(input.username)}. If it was you, choose a new one here.`],
    link: input.link,
    label: 'Choose a new password',
    after: [
      'The link works for one hour and only once. Setting a new password signs out every device that was signed in.',
      'If you did not ask for this, ignore this e-mail: your password stays as it is.'
    ]
  });
}

export function emailChangeMail(brand: Brand, input: { displayName: string; link: string }): MailContent {
  return actionMail(brand, {
    subject: `Confirm your new e-mail address for ${brand.forumName}`,
    heading: 'Confirm your new e-mail address',
    greeting: `Hello ${oneLine(input.displayName)},`,
    lines: ['You asked to use this address for your account. It takes effect when you confirm it.'],
    link: input.link,
    label: 'Use this address',
    after: ['The link works for 24 hours. If you did not ask for this, ignore this e-mail.']
  });
}

/** A change to the account that its owner should hear of even when they made it themself. */
export function securityNoticeMail(brand: Brand, input: { displayName: string; what: string; detail: string }): MailContent {
  const lines = [input.detail, 'If this was not you, reset your password now and check your sessions.'];
  const link = `${brand.publicUrl}/forgot-password`;
  return {
    subject: oneLine(`${brand.forumName}: ${input.what}`),
    text: [`Hello ${oneLine(input.displayName)},`, '', ...lines, '', `Reset your password: ${link}`, '', `-- ${brand.forumName}`].join(
      '\n'
    ),
    html: layout(
      brand,
      input.what,
      para(`Hello ${oneLine(input.displayName)},`) + lines.map(para).join('') + button(link, 'Reset my password'),
      `A security notice about your account on ${esc(brand.forumName)}. These are always sent.`
    )
  };
}

export interface NotificationItem {
  type: 'reply' | 'mention' | 'solution';
  actorName: string;
  threadId: number;
  threadTitle: string;
  postId: number | null;
  excerpt: string;
  createdAt: Date;
}

const VERBS: Record<NotificationItem['type'], string> = {
  reply: 'replied in',
  mention: 'mentioned you in',
  solution: 'accepted your answer in'
};

export function notificationsMail(
  brand: Brand,
  input: { displayName: string; items: NotificationItem[]; more: number; settingsLink: string; unsubscribeLink: string }
): MailContent {
  const threads = new Set(input.items.map((i) => i.threadId));
  const total = input.items.length + input.more;
  const first = input.items[0]!;
  const subject =
    threads.size === 1
      ? `${total === 1 ? '' : `${total} new: `}${first.threadTitle}`
      : `${total} new replies and mentions in ${threads.size} threads`;
  const link = (i: NotificationItem) => `${brand.publicUrl}/t/${i.threadId}${i.postId === null ? '' : `?at=${i.postId}#p${i.postId}`}`;
  const line = (i: NotificationItem) => `${oneLine(i.actorName)} ${VERBS[i.type]} "${oneLine(i.threadTitle)}"`;
  const moreText = input.more > 0 ? [`...and ${input.more} more on the site.`] : [];
  const text = [
    `Hello ${oneLine(input.displayName)},`,
    '',
    'While you were away:',
    '',
    ...input.items.flatMap((i) => [`* ${line(i)}`, ...(i.excerpt === '' ? [] : [`  > ${oneLine(i.excerpt, 300)}`]), `  ${link(i)}`, '']),
    ...moreText,
    `E-mail settings: ${input.settingsLink}`,
    `Stop these e-mails: ${input.unsubscribeLink}`
  ].join('\n');
  const list = input.items
    .map(
      (i) =>
        `<li style="margin:0 0 14px"><a href="${esc(link(i))}" style="color:#0b5563;font-weight:600">${esc(line(i))}</a>` +
        (i.excerpt === '' ? '' : `<br><span style="color:#4a5b61">${esc(oneLine(i.excerpt, 300))}</span>`) +
        '</li>'
    )
    .join('');
  const html = layout(
    brand,
    threads.size === 1 ? oneLine(first.threadTitle) : 'While you were away',
    para(`Hello ${oneLine(input.displayName)},`) +
      `<ul style="padding-left:20px;margin:0 0 12px">${list}</ul>` +
      (input.more > 0 ? para(`...and ${input.more} more on the site.`) : ''),
    `You get these because you were not on the site when they happened. <a href="${esc(input.settingsLink)}" style="color:#0b5563">E-mail settings</a> · <a href="${esc(input.unsubscribeLink)}" style="color:#0b5563">Stop these e-mails</a>`
  );
  return { subject: oneLine(subject), text, html };
}

export interface DigestThread {
  id: number;
  title: string;
  boardName: string;
  equipment: string | null;
  replyCount: number;
}

export function digestMail(
  brand: Brand,
  input: { displayName: string; newThreads: DigestThread[]; solved: DigestThread[]; settingsLink: string; unsubscribeLink: string }
): MailContent {
  const subject = `${brand.forumName} digest: ${input.newThreads.length} new, ${input.solved.length} solved`;
  const where = (t: DigestThread) => [t.boardName, t.equipment].filter((x) => x !== null && x !== '').join(' · ');
  const textSection = (title: string, list: DigestThread[]) =>
    list.length === 0
      ? []
      : [title, '', ...list.flatMap((t) => [`* ${oneLine(t.title)} (${where(t)})`, `  ${brand.publicUrl}/t/${t.id}`]), ''];
  const htmlSection = (title: string, list: DigestThread[]) =>
    list.length === 0
      ? ''
      : `<h2 style="font-size:17px;margin:16px 0 8px">${esc(title)}</h2><ul style="padding-left:20px;margin:0">` +
        list
          .map(
            (t) =>
              `<li style="margin:0 0 10px"><a href="${esc(`${brand.publicUrl}/t/${t.id}`)}" style="color:#0b5563;font-weight:600">${esc(oneLine(t.title))}</a><br><span style="color:#4a5b61;font-size:14px">${esc(where(t))} · ${t.replyCount} ${t.replyCount === 1 ? 'reply' : 'replies'}</span></li>`
          )
          .join('') +
        '</ul>';
  const text = [
    `Hello ${oneLine(input.displayName)},`,
    '',
    'What happened in the boards and models you watch since yesterday:',
    '',
    ...textSection('New threads', input.newThreads),
    ...textSection('Solved', input.solved),
    `E-mail settings: ${input.settingsLink}`,
    `Stop the digest: ${input.unsubscribeLink}`
  ].join('\n');
  const html = layout(
    brand,
    'Your daily digest',
    para(`Hello ${oneLine(input.displayName)},`) +
      para('What happened in the boards and models you watch since yesterday:') +
      htmlSection('New threads', input.newThreads) +
      htmlSection('Solved', input.solved),
    `The daily digest of what you watch. <a href="${esc(input.settingsLink)}" style="color:#0b5563">E-mail settings</a> · <a href="${esc(input.unsubscribeLink)}" style="color:#0b5563">Stop the digest</a>`
  );
  return { subject: oneLine(subject), text, html };
}
