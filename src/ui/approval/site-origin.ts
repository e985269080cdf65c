/**
 * How a requesting site is shown: its origin in ASCII (international domain names
 * stay in their punycode `xn--` form, so a look-alike domain cannot pass for another).
 */
export function displayOrigin(origin: string): { text: string; international: boolean } {
  try {
    const url = new URL(origin);
    const text = `${url.protocol}//${url.host}`;
    return { text, international: url.hostname.split('.').some((label) => label.startsWith('xn--')) };
  } catch {
    return { text: origin, international: false };
  }
}
