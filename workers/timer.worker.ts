// Timers for the main thread's mesh room, out of reach of background-tab throttling (see worker-clock.ts).
import { serveTimers, type TimerPort } from './worker-clock';

serveTimers(self as unknown as TimerPort);
