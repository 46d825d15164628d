/** The mutation engine: `spec.mutation` rules compiled once, applied per object. */
export { IDENTITY_MUTATOR, compileMutationSpec, compileMutations } from './mutator.ts';
export { TemplateValue, goTrimSpace } from './template.ts';
export { MutationError, type Mutator, type MutationDeps } from './types.ts';
