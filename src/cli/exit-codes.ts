/**
 * What `mloop` exits with, for scripts and CI: 0 done, 1 an error (the one line on stderr says
 * which), 3 a training (or `models threshold`) that finished but whose version the promotion gate rejected. An interrupted
 * command exits with 128 + the signal's number (130 for Ctrl-C), as shells do.
 */
export const exitCodes = { ok: 0, error: 1, rejected: 3 } as const;
