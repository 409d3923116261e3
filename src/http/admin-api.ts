import type { FastifyInstance } from 'fastify'
import type { App } from '../app.js'

/** Placeholder replaced by the admin API implementation. */
export function registerAdminApi(_fastify: FastifyInstance, _app: App, _token: string): void {}
