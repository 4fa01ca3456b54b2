// SMTP DATA under fuzzing, briefly (`npm run fuzz` runs the same targets with large budgets).
import { fuzzTests } from './register.ts';
import { SMTP_TARGETS } from './smtp-input.ts';

fuzzTests(SMTP_TARGETS);
