// `node --import ./bench/lib/ts-loader.mjs file.ts`: runs the benchmarks' TypeScript compiled like the shipped
// library, not by tsx. tsx compiles with esbuild's keepNames, which wraps every named closure in a `__name()`
// call that sets its `name` property when the closure is made: 3.3 % of a warm in-process room's CPU (bench
// dcm) that no user pays — the published build (tsdown) has no such helper.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
