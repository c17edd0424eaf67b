import type { Role } from '@yugong/shared/auth';

/** Roles that see households at all: the relief office in full, the others masked (staff: linked only). */
export const HOUSEHOLD_READERS: Role[] = ['relief_officer', 'admin', 'auditor', 'producer_staff'];
/** Roles that change the register. */
export const RELIEF_OFFICE: Role[] = ['relief_officer', 'admin'];
/** Roles that read across the register without personal data in full: the office and auditors. */
export const REGISTER_OVERSIGHT: Role[] = ['relief_officer', 'admin', 'auditor'];
