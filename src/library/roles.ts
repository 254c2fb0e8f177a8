/** API roles, each allowed what the one before it is, and more. */
export const ROLES = ['reader', 'writer', 'owner', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}
