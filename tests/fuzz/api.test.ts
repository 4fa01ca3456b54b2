// The API input layer under fuzzing, briefly (`npm run fuzz` runs the same targets with large budgets).
import { API_TARGETS } from './api-input.ts';
import { fuzzTests } from './register.ts';

fuzzTests(API_TARGETS);
