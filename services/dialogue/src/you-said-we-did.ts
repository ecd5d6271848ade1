import type { OutcomeView } from './outcomes.ts';

/** Labels of the public page; a language without its own falls back to English. */
const labels: Record<string, Record<string, string>> = {
  sv: {
    heading: 'Ni sa, vi gjorde',
    question: 'Frågan',
    outcomes: 'Vad kommunen gjorde',
    youSaid: 'Det här sa ni',
    taken: 'Togs tillvara',
    partly: 'Togs delvis tillvara',
    not_taken: 'Togs inte tillvara',
    because: 'Därför',
    decision: 'Beslut',
    action: 'Åtgärd',
    participants: 'deltagare',
    contributions: 'synpunkter',
    none: 'Inga resultat är publicerade ännu.',
    languages: 'Andra språk',
  },
  en: {
    heading: 'You said, we did',
    question: 'The question',
    outcomes: 'What the municipality did',
    youSaid: 'What you said',
    taken: 'Taken into account',
    partly: 'Partly taken into account',
    not_taken: 'Not taken into account',
    because: 'Because',
    decision: 'Decision',
    action: 'Action',
    participants: 'participants',
    contributions: 'contributions',
    none: 'No outcomes have been published yet.',
    languages: 'Other languages',
  },
  'zh-CN': {
    heading: '您的意见，我们的行动',
    question: '问题',
    outcomes: '市政府的行动',
    youSaid: '您的意见',
    taken: '已采纳',
    partly: '部分采纳',
    not_taken: '未采纳',
    because: '原因',
    decision: '决定',
    action: '行动',
    participants: '名参与者',
    contributions: '条意见',
    none: '尚未发布结果。',
    languages: '其他语言',
  },
};

export function label(language: string, key: string): string {
  return labels[language]?.[key] ?? labels.en![key] ?? key;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

export interface PublicPage {
  municipality: string;
  language: string;
  languages: string[];
  dialogue: { language: string; title: string; question: string; purpose: string };
  participants: number | null;
  contributions: number | null;
  outcomes: {
    kind: string;
    title: string;
    description: string;
    decidedAt: string | null;
    responses: {
      response: OutcomeView['links'][number]['response'];
      reason: string | null;
      said: string;
      /** The language the resident wrote in, when known. */
      saidIn: string | null;
    }[];
  }[];
  path: string;
}

/** A plain, accessible page: real headings, lists, the reader's language in `lang`, no scripts. */
export function renderYouSaidWeDid(page: PublicPage): string {
  const L = (key: string) => escapeHtml(label(page.language, key));
  // The dialogue's own text may be in the default language when it has no translation.
  const dl = escapeHtml(page.dialogue.language);
  const outcomes = page.outcomes.length
    ? page.outcomes
        .map(
          (o) => `
    <article>
      <h3>${L(o.kind)}: ${escapeHtml(o.title)}</h3>
      ${o.description ? `<p>${escapeHtml(o.description)}</p>` : ''}
      ${o.decidedAt ? `<p><time datetime="${escapeHtml(o.decidedAt)}">${escapeHtml(o.decidedAt.slice(0, 10))}</time></p>` : ''}
      ${
        o.responses.length
          ? `<h4>${L('youSaid')}</h4>
      <ul>${o.responses
        .map(
          (r) => `
        <li><blockquote${r.saidIn ? ` lang="${escapeHtml(r.saidIn)}"` : ''}><p>${escapeHtml(r.said)}</p></blockquote>
          <p><strong>${L(r.response)}</strong>${r.reason ? ` — ${L('because')}: ${escapeHtml(r.reason)}` : ''}</p></li>`,
        )
        .join('')}
      </ul>`
          : ''
      }
    </article>`,
        )
        .join('')
    : `<p>${L('none')}</p>`;
  const others = page.languages
    .filter((l) => l !== page.language)
    .map(
      (l) =>
        `<a href="${escapeHtml(page.path)}?lang=${encodeURIComponent(l)}" hreflang="${escapeHtml(l)}" lang="${escapeHtml(l)}">${escapeHtml(l)}</a>`,
    )
    .join(' · ');
  const counts = [
    page.participants !== null ? `${page.participants} ${L('participants')}` : '',
    page.contributions !== null ? `${page.contributions} ${L('contributions')}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `<!doctype html>
<html lang="${escapeHtml(page.language)}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${L('heading')}: ${escapeHtml(page.dialogue.title)} — ${escapeHtml(page.municipality)}</title>
  <style>body{font:1.05rem/1.6 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
  blockquote{margin:0;border-left:4px solid #555;padding-left:1rem}article{border-top:1px solid #ccc;margin-top:1.5rem}
  a{color:#0b57d0}</style>
</head>
<body>
  <header><p>${escapeHtml(page.municipality)}</p>${others ? `<nav aria-label="${L('languages')}">${others}</nav>` : ''}</header>
  <main>
    <h1>${L('heading')}: <span lang="${dl}">${escapeHtml(page.dialogue.title)}</span></h1>
    <h2>${L('question')}</h2>
    <p lang="${dl}">${escapeHtml(page.dialogue.question)}</p>
    <p lang="${dl}">${escapeHtml(page.dialogue.purpose)}</p>
    ${counts ? `<p>${escapeHtml(counts)}</p>` : ''}
    <h2>${L('outcomes')}</h2>
    ${outcomes}
  </main>
</body>
</html>
`;
}
