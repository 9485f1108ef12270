/** Raw HTTP/1.1 over TCP, for what fetch cannot send: half a body, stalled headers, an idle keep-alive socket. */
import { once } from 'node:events';
import { connect } from 'node:net';

/** Writes `text` on a new TCP connection to `url`'s host; resolves with all it read once the server closed it. */
export async function rawExchange(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.setEncoding('utf8');
  socket.on('error', () => undefined);
  let data = '';
  socket.on('data', (d: string) => (data += d));
  await once(socket, 'connect');
  socket.write(text);
  await once(socket, 'close');
  return data;
}
