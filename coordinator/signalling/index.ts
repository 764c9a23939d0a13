export { createSignalling, type Signalling, type SignallingInfo, type SignallingOptions } from './signalling.js';
