import type { FastifyBaseLogger } from 'fastify';
import nodemailer from 'nodemailer';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  language: string;
}

export interface EmailSender {
  send(mail: OutgoingEmail): Promise<void>;
  close(): void;
}

/** Anything that can deliver a text message (an SMS gateway, a test recorder, the log). */
export interface SmsSender {
  send(message: { to: string; text: string }): Promise<void>;
}

/** E-mail over SMTP (`SMTP_URL`), through a pooled nodemailer transport. */
export function smtpSender(smtpUrl: string, from: string): EmailSender {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(mail) {
      await transport.sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        headers: { 'Content-Language': mail.language },
      });
    },
    close: () => transport.close(),
  };
}

/** Without SMTP configured (a laptop): say what would have been sent, without the address. */
export function loggingEmailSender(log: FastifyBaseLogger): EmailSender {
  return {
    async send(mail) {
      log.info({ subject: mail.subject, language: mail.language }, 'e-mail not sent: SMTP_URL is not set');
    },
    close() {},
  };
}

/** The default SMS sender: logs instead of sending (plug a gateway in through `SmsSender`). */
export function loggingSmsSender(log: FastifyBaseLogger): SmsSender {
  return {
    async send(message) {
      log.info({ characters: message.text.length }, 'SMS not sent: no SMS gateway configured');
    },
  };
}
