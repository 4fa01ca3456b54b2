// IMAP input under fuzzing, briefly (`npm run fuzz` runs the same targets with large budgets).
import { IMAP_TARGETS } from './imap-input.ts';
import { fuzzTests } from './register.ts';

fuzzTests(IMAP_TARGETS);
