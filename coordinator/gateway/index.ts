export { WorkerGateway, reputationOf, type GatewayOptions } from './gateway.js';
export type { WorkerSession, WorkerSocket } from './session.js';
