import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane): strong, and ~30 ms on one core.
const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** The minimum we accept; long passphrases are welcome. */
export const minimumPasswordLength = 10;

/** Hashes a password with argon2id and a random salt. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

// Verified when the account does not exist, so that unknown accounts take as long as wrong passwords.
let decoyHash: Promise<string> | undefined;

/** Checks a password; with no hash (unknown account) it spends the same time and answers false. */
export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (passwordHash === null) {
    decoyHash ??= hash('centralita-decoy-password', options);
    await verify(await decoyHash, password);
    return false;
  }
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
