// The MIME indexer and the IMAP renderers under fuzzing, briefly (`npm run fuzz` runs the same targets with large budgets).
import { MIME_TARGETS } from './mime-input.ts';
import { fuzzTests } from './register.ts';

fuzzTests(MIME_TARGETS);
