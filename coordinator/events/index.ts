export { JobFeed } from './feed.js';
