// zod as the contract's schemas need it, set before any schema is built: imported first by every module that builds one.
import { z } from 'zod';

// The renderer's CSP forbids eval: zod's JIT would probe `new Function` once per load and raise a CSP violation.
// Building a schema runs the probe, so this must run before the first one is built.
z.config({ jitless: true });
