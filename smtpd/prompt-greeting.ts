// smtp-server's SMTPConnection#init waits 100 ms before the 220 greeting to
// catch "early talkers". Every connection pays that pause, and a client that
// opens one connection per message (Postfix's smtp-source, many MTAs) pays it
// for every message: ~110 ms a message on loopback. Postfix's smtpd greets at
// once (its greet pause lives in postscreen, cached per client), and so does
// this server: the greeting goes out as soon as onConnect has admitted the
// session. Input read before that is still refused with "421 You talk too
// soon" (smtp-server's _ready flag, untouched).
import type net from 'node:net';
import type tls from 'node:tls';
import { SMTPServer } from 'smtp-server';
import type { SMTPConnectionOptions } from 'smtp-server/lib/smtp-connection.js';
import { ScramSMTPConnection, type SmtpScramDeps } from './scram-auth.ts';

export class PromptGreetingSMTPServer extends SMTPServer {
  /** AUTH SCRAM-SHA-256[-PLUS] (scram-auth.ts); null leaves those mechanisms unanswered. */
  scram: SmtpScramDeps | null = null;

  // SMTPServer#connect (smtp-server 3.21) with SMTPConnection#init minus its timer.
  override connect(socket: net.Socket | tls.TLSSocket, socketOptions?: SMTPConnectionOptions | null): void {
    // Replies are whole lines written once each; Nagle would hold a reply back
    // until the client's delayed ACK of the previous one.
    socket.setNoDelay(true);
    const connection = new ScramSMTPConnection(this, socket, socketOptions);
    connection.scram = this.scram;
    this.connections.add(connection);
    connection.on('error', (err: Error) => this._onError(err));
    connection.on('connect', (data: Parameters<SMTPServer['_onClientConnect']>[0]) => this._onClientConnect(data));
    connection._setListeners(() => {
      // init()'s own check, kept: the listener sets maxClients one above what onConnect admits.
      if (this.options.maxClients && this.connections.size > this.options.maxClients) {
        return connection.send(421, `${connection.name} Too many connected clients, try again in a moment`, false);
      }
      connection.connectionReady();
    });
  }
}
