# Python's imaplib over COMPRESS=DEFLATE (RFC 4978). imaplib has no COMPRESS,
# so this subclass deflates what it sends and inflates what it reads through
# zlib with raw windows (wbits -15), as a client adding the extension would.
# Usage: imaplib-compress.py PORT USER PASSWORD; prints one JSON line.
import hashlib
import imaplib
import json
import ssl
import sys
import zlib

imaplib.Commands['COMPRESS'] = ('AUTH', 'SELECTED')


class CompressedIMAP(imaplib.IMAP4_SSL):
    deflater = None

    def compress(self):
        typ, data = self._simple_command('COMPRESS', 'DEFLATE')
        if typ != 'OK':
            raise imaplib.IMAP4.error(f'COMPRESS refused: {data}')
        self.deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
        self.inflater = zlib.decompressobj(-15)
        self.inflated = b''
        self.wire = 0
        return data[0].decode()

    def send(self, data):
        if self.deflater:
            # Z_SYNC_FLUSH: the command leaves whole, at once.
            data = self.deflater.compress(data) + self.deflater.flush(zlib.Z_SYNC_FLUSH)
        super().send(data)

    def fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise imaplib.IMAP4.abort('connection closed')
        self.wire += len(chunk)
        self.inflated += self.inflater.decompress(chunk)

    def read(self, size):
        if not self.deflater:
            return super().read(size)
        while len(self.inflated) < size:
            self.fill()
        out, self.inflated = self.inflated[:size], self.inflated[size:]
        return out

    def readline(self):
        if not self.deflater:
            return super().readline()
        while b'\n' not in self.inflated:
            if len(self.inflated) > imaplib._MAXLINE:
                raise imaplib.IMAP4.error('line too long')
            self.fill()
        end = self.inflated.index(b'\n') + 1
        out, self.inflated = self.inflated[:end], self.inflated[end:]
        return out


def main():
    port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    imap = CompressedIMAP('127.0.0.1', port, ssl_context=context, timeout=15)
    imap.login(user, password)
    result = {'compress': imap.compress()}
    typ, data = imap.select('INBOX')
    result['exists'] = int(data[0])
    typ, data = imap.fetch('1', '(BODY.PEEK[])')
    result['sha256'] = hashlib.sha256(data[0][1]).hexdigest()
    typ, data = imap.append('INBOX', '(\\Seen)', None, b'Subject: from imaplib\r\n\r\nCompressed append.\r\n')
    result['append'] = typ
    typ, data = imap.search(None, 'SEEN')
    result['seen'] = data[0].decode()
    result['wire'] = imap.wire
    typ, data = imap.logout()
    result['logout'] = typ
    print(json.dumps(result))


main()
