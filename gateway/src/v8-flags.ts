import v8 from 'node:v8';

// undici parses HTTP with a WebAssembly build of llhttp, compiled on the first backend
// connection. By default V8 compiles it with its baseline compiler (Liftoff) and then recompiles
// hot functions with TurboFan on background threads; those jobs leave about 10 MB behind in every
// gateway process, and the optimised parser made no measurable difference to requests per second
// (bench/gateway: the parser is a few percent of a request's CPU). Baseline code only, then.
// Imported before anything else, and long before the first WebAssembly compilation it affects.
v8.setFlagsFromString('--liftoff-only');
