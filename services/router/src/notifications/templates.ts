import type { NotificationTemplate } from '../notify.ts';

export interface TemplateContext {
  trackingCode: string;
  municipality: string;
  /** The reply or question from the municipality, when there is one. */
  message?: string;
  /** Set when the recipient's case was merged into the case this is about. */
  mergedInto?: string;
}

export interface Rendered {
  subject: string;
  text: string;
}

type Templates = Record<NotificationTemplate, (c: TemplateContext) => Rendered>;

const quote = (message?: string) => (message ? `\n\n${message}\n` : '');
/** A line for reporters whose own case was merged into the one being answered. */
const mergedNote = (c: TemplateContext, text: (parent: string) => string) =>
  c.mergedInto ? `${text(c.mergedInto)}\n\n` : '';

/** Resident-facing texts in each supported language; only ids and codes, never another resident's data. */
export const templates: Record<string, Templates> = {
  sv: {
    acknowledgement: (c) => ({
      subject: `Vi har tagit emot ditt ärende ${c.trackingCode}`,
      text: `Tack för att du kontaktade ${c.municipality}. Ditt ärende har nummer ${c.trackingCode}; ange det om du kontaktar oss igen. Vi återkommer så snart vi kan.`,
    }),
    reply: (c) => ({
      subject: `Svar på ditt ärende ${c.trackingCode}`,
      text: `${mergedNote(c, (p) => `Ditt ärende har slagits ihop med ärende ${p}, som gäller samma sak.`)}${c.municipality} har svarat på ditt ärende ${c.trackingCode}:${quote(c.message)}`,
    }),
    information_request: (c) => ({
      subject: `Vi behöver mer information om ärende ${c.trackingCode}`,
      text: `${c.municipality} behöver mer information för att kunna hantera ditt ärende ${c.trackingCode}:${quote(c.message)}\nSvara genom att följa ditt ärende med ärendenumret.`,
    }),
    resolution: (c) => ({
      subject: `Ditt ärende ${c.trackingCode} är avslutat`,
      text: `${mergedNote(c, (p) => `Ditt ärende har slagits ihop med ärende ${p}, som gäller samma sak.`)}${c.municipality} har avslutat ditt ärende ${c.trackingCode}.${quote(c.message)}\nBerätta gärna vad du tyckte om vår service.`,
    }),
  },
  en: {
    acknowledgement: (c) => ({
      subject: `We have received your inquiry ${c.trackingCode}`,
      text: `Thank you for contacting ${c.municipality}. Your inquiry number is ${c.trackingCode}; please quote it if you contact us again. We will get back to you as soon as we can.`,
    }),
    reply: (c) => ({
      subject: `Reply to your inquiry ${c.trackingCode}`,
      text: `${mergedNote(c, (p) => `Your inquiry has been merged with inquiry ${p}, which is about the same matter.`)}${c.municipality} has replied to your inquiry ${c.trackingCode}:${quote(c.message)}`,
    }),
    information_request: (c) => ({
      subject: `We need more information about inquiry ${c.trackingCode}`,
      text: `${c.municipality} needs more information to handle your inquiry ${c.trackingCode}:${quote(c.message)}\nPlease answer by following your inquiry with its number.`,
    }),
    resolution: (c) => ({
      subject: `Your inquiry ${c.trackingCode} has been resolved`,
      text: `${mergedNote(c, (p) => `Your inquiry has been merged with inquiry ${p}, which is about the same matter.`)}${c.municipality} has resolved your inquiry ${c.trackingCode}.${quote(c.message)}\nWe would be glad to hear what you thought of our service.`,
    }),
  },
  'zh-CN': {
    acknowledgement: (c) => ({
      subject: `我们已收到您的诉求 ${c.trackingCode}`,
      text: `感谢您联系${c.municipality}。您的诉求编号为 ${c.trackingCode}，再次联系我们时请提供此编号。我们会尽快答复您。`,
    }),
    reply: (c) => ({
      subject: `关于您的诉求 ${c.trackingCode} 的答复`,
      text: `${mergedNote(c, (p) => `您的诉求已与同一事项的诉求 ${p} 合并。`)}${c.municipality}已答复您的诉求 ${c.trackingCode}：${quote(c.message)}`,
    }),
    information_request: (c) => ({
      subject: `关于诉求 ${c.trackingCode}，我们需要更多信息`,
      text: `${c.municipality}需要更多信息以处理您的诉求 ${c.trackingCode}：${quote(c.message)}\n请凭诉求编号查询并答复。`,
    }),
    resolution: (c) => ({
      subject: `您的诉求 ${c.trackingCode} 已办结`,
      text: `${mergedNote(c, (p) => `您的诉求已与同一事项的诉求 ${p} 合并。`)}${c.municipality}已办结您的诉求 ${c.trackingCode}。${quote(c.message)}\n欢迎您对我们的服务进行评价。`,
    }),
  },
};

/** The resident's language if there is a template for it, else the tenant's default, else English. */
export function render(
  template: NotificationTemplate,
  languages: string[],
  context: TemplateContext,
): Rendered & { language: string } {
  const language = languages.find((l) => templates[l]) ?? 'en';
  return { ...templates[language]![template](context), language };
}
