// The API tests with the engine on the main thread (initialize({ worker: false })).
import { defineAPITests } from './api-cases.mjs';

defineAPITests({ worker: false });
