// The API tests with the engine in a Node worker thread (the default).
import { defineAPITests } from './api-cases.mjs';

defineAPITests({ worker: true });
