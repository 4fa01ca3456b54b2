// The server secret that encrypts private keys at rest (AES-256-GCM).
// HERON_SECRET when set, otherwise a random key file created once with mode 0600.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

const PREFIX = 'enc:v1:';

export function loadSecret(dataDir: string, envSecret = process.env.HERON_SECRET): SecretBox {
  let material: Buffer;
  if (envSecret) {
    material = Buffer.from(envSecret, 'utf8');
  } else {
    const file = path.join(dataDir, 'secret.key');
    if (!fs.existsSync(file)) {
      fs.writeFileSync(file, crypto.randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    }
    material = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  }
  const key = crypto.createHash('sha256').update('heron-key-encryption\0').update(material).digest();
  return {
    seal(plaintext) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    open(sealed) {
      if (!sealed.startsWith(PREFIX)) throw new Error('value is not sealed with the server secret');
      const data = Buffer.from(sealed.slice(PREFIX.length), 'base64');
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
