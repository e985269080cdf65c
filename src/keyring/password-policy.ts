/** What a vault password must satisfy. Shared with the UI, so it stays import-free. */
export const MIN_PASSWORD_LENGTH = 8;
