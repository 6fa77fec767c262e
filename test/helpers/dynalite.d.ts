declare module 'dynalite' {
  import type { Server } from 'node:http';
  /** In memory when no `path` is given. */
  export default function dynalite(options?: { path?: string; createTableMs?: number; deleteTableMs?: number }): Server;
}
