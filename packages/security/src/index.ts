import { createHash, randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Secrets, tokens and password hashes. Everything here uses Node's crypto only, so there is no
 * native add-on to build on a new machine.
 */

/** Hex SHA-256: for high-entropy secrets (tokens, API keys) that need no slow hash. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant-time comparison of two strings (different lengths compare unequal, also in constant time). */
export function safeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}

/** A URL-safe random token with `bytes` bytes of entropy. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

// Crockford base32 without I, L, O, U: easy to read aloud on the phone, no look-alikes.
const TRACKING_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A tracking code like `K7Q-4M9X-2D`: 10 random symbols = 50 bits, so codes are unguessable and
 * carry no order. Grouped for reading aloud.
 */
export function trackingCode(): string {
  let symbols = '';
  for (let i = 0; i < 10; i++) symbols += TRACKING_ALPHABET[randomInt(TRACKING_ALPHABET.length)];
  return `${symbols.slice(0, 3)}-${symbols.slice(3, 7)}-${symbols.slice(7)}`;
}

/** Normalises what a resident typed (lower case, O for 0 mix-ups) to the stored form. */
export function normaliseTrackingCode(input: string): string {
  const clean = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (clean.length !== 10) return input.toUpperCase();
  return `${clean.slice(0, 3)}-${clean.slice(3, 7)}-${clean.slice(7)}`;
}

export const TRACKING_CODE_PATTERN = /^[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{3}$/;

// scrypt parameters: N=2^15, r=8, p=1 (≈ 32 MiB, ≈ 50–100 ms here) — OWASP's minimum is N=2^17 with
// p=1 for scrypt *or* equivalent cost; we store the parameters with each hash so they can be raised.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keylen: 32, maxmem: 64 * 1024 * 1024 };

function scryptAsync(password: string, salt: Buffer, params: typeof SCRYPT): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password,
      salt,
      params.keylen,
      { N: params.N, r: params.r, p: params.p, maxmem: params.maxmem },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash` (base64url parts). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64url'), {
    ...SCRYPT,
    N: Number(n),
    r: Number(r),
    p: Number(p),
    keylen: expected.length,
  });
  return timingSafeEqual(key, expected);
}

/** Minimum password policy for staff: length over composition rules (NIST SP 800-63B). */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 12) return 'must be at least 12 characters';
  if (password.length > 256) return 'must be at most 256 characters';
  return undefined;
}
