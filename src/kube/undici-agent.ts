/**
 * undici's Agent and its `request()`, without the rest of undici. Its
 * index loads all of it (fetch, WebSocket, EventSource, caches, mocks,
 * proxies): 13 MiB resident that the agent never uses (Node with node:tls
 * and node:http2 loaded: 56 MiB; plus `import 'undici'`: 71.5; plus only
 * these two files: 58.7). undici 8 has no `exports` map, so its files
 * may be required one by one; this does what its index does for these two
 * (the version is pinned, and the REST client's unit tests run through here).
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;

// The index gives every dispatcher its request()/stream()/… this way; the agent uses only request().
const Dispatcher = require('undici/lib/dispatcher/dispatcher.js') as typeof Undici.Dispatcher;
const request = require('undici/lib/api/api-request.js') as Undici.Dispatcher['request'];
Object.assign(Dispatcher.prototype, { request });

export type Agent = Undici.Agent;
