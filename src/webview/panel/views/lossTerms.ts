/**
 * Loss-term names as training histories carry them: `loss`, `kl`, … for the training split and the
 * same names prefixed `val_` for the validation split.
 */
import type { Terms } from '../../../shared/protocol';

const VALIDATION = 'val_';

export function isValidation(term: string): boolean {
  return term.startsWith(VALIDATION);
}

export function validationTerm(term: string): string {
  return `${VALIDATION}${term}`;
}

/** The term without its split: `val_kl` and `kl` are the same quantity. */
export function baseTerm(term: string): string {
  return isValidation(term) ? term.slice(VALIDATION.length) : term;
}

/** Loss first, then the other terms alphabetically; each training term before its validation twin. */
export function compareTerms(a: string, b: string): number {
  const baseA = baseTerm(a);
  const baseB = baseTerm(b);
  if (baseA !== baseB) return baseA === 'loss' ? -1 : baseB === 'loss' ? 1 : baseA.localeCompare(baseB);
  return Number(isValidation(a)) - Number(isValidation(b));
}

/** The ELBO is a bound to maximise; every other term is a loss to minimise. */
export function higherIsBetter(term: string): boolean {
  return baseTerm(term) === 'elbo';
}

/** A history entry's loss terms, without its epoch number. */
export function termNames(entry: Terms): string[] {
  return Object.keys(entry).filter((name) => name !== 'epoch');
}
