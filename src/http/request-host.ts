import type { FastifyRequest } from 'fastify'

/**
 * The Host header as the client sent it, when it looks like a host[:port]; else the listener's address.
 * URLs printed back to a client (webhook URLs, OAuth endpoints) are built from it, so they name the server
 * the way the client reached it.
 */
export function hostOf(request: FastifyRequest): string {
  const host = request.headers.host ?? ''
  if (/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)) return host
  const address = request.socket.localAddress ?? '127.0.0.1'
  const port = request.socket.localPort
  const name = address.includes(':') ? `[${address}]` : address
  return port === undefined ? name : `${name}:${port}`
}

/** `http://127.0.0.1:8080`: the scheme of the listener the request came through and its Host. */
export function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${hostOf(request)}`
}
