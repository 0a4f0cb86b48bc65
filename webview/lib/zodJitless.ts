import { z } from 'zod';

// zod compiles parsers with `new Function` unless told not to, and probes for that while the
// protocol's schemas are being built; under the panel's CSP (no 'unsafe-eval') even the probe is
// reported as a violation. Imported first by main.ts, so it runs before any schema module.
z.config({ jitless: true });
