import { runConformance } from '@edora/tensor/conformance';
import { HostOnlyBackend } from './host-only-backend.js';

// A backend with no kernel of its own passes the whole suite, tier-1 ops included: the host
// fallback runs every op of the contract correctly through the backend's read and write.
runConformance({ name: 'host fallback', create: () => new HostOnlyBackend('host-fallback-conformance') });
