// pino: JSON lines, or pretty when a person is watching a terminal.
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  const pretty = process.stdout.isTTY && !process.env.CI;
  return pino({
    level,
    base: { service: 'heron' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } } } : {}),
  });
}
