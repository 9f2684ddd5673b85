import { requiredText } from '../http/validate';
import { maskPhonesInText } from '../lib/personal-data';

/**
 * Issue and service-menu titles are read by every role, claimers included, and are often copied from what a
 * resident wrote: a phone number in them is masked when they are saved, whoever types it.
 */
export const publicTitle = (label: string, max: number) => requiredText(label, max).transform((t) => maskPhonesInText(t));
