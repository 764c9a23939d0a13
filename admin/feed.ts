import { useEffect, useRef, useState } from 'preact/hooks';
import { FEED_EVENTS, type FeedJob, type FeedStats, type FeedWorkers } from '../shared/index.js';

interface FeedData {
  stats: FeedStats;
  job: FeedJob;
  workers: FeedWorkers;
}
type FeedName = keyof FeedData;
type Listener<K extends FeedName> = (data: FeedData[K]) => void;

/**
 * The coordinator's pushed feed (`GET /api/v1/feed`, Server-Sent Events): stats every 2 s, a job
 * whenever it changes, a note when workers change. One connection for the whole panel; the browser
 * reconnects it when it drops. Every event is checked with its schema; one that does not fit is
 * dropped (and counted), never shown.
 */
export class Feed {
  private source: EventSource | undefined;
  private readonly listeners = new Map<FeedName, Set<Listener<FeedName>>>();
  private readonly connectionListeners = new Set<(open: boolean) => void>();
  open = false;
  dropped = 0;

  start(): void {
    if (this.source) return;
    const source = new EventSource('/api/v1/feed');
    this.source = source;
    for (const name of Object.keys(FEED_EVENTS) as FeedName[]) {
      source.addEventListener(name, (event) => this.deliver(name, event.data));
    }
    source.addEventListener('open', () => this.setOpen(true));
    source.addEventListener('error', () => this.setOpen(false));
  }

  stop(): void {
    this.source?.close();
    this.source = undefined;
    this.setOpen(false);
  }

  on<K extends FeedName>(name: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as Listener<FeedName>);
    return () => set.delete(listener as Listener<FeedName>);
  }

  onConnection(listener: (open: boolean) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  private deliver(name: FeedName, data: unknown): void {
    let parsed;
    try {
      parsed = FEED_EVENTS[name].safeParse(JSON.parse(String(data)));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      this.dropped += 1;
      return;
    }
    for (const listener of this.listeners.get(name) ?? []) listener(parsed.data);
  }

  private setOpen(open: boolean): void {
    if (this.open === open) return;
    this.open = open;
    for (const listener of this.connectionListeners) listener(open);
  }
}

export const feed = new Feed();

/** Calls `listener` with each `name` event while the component is shown (the newest listener wins). */
export function useFeed<K extends FeedName>(name: K, listener: Listener<K>): void {
  const current = useRef(listener);
  current.current = listener;
  useEffect(() => feed.on(name, (data) => current.current(data)), [name]);
}

/** Whether the feed is connected now. */
export function useFeedOpen(): boolean {
  const [open, setOpen] = useState(feed.open);
  useEffect(() => feed.onConnection(setOpen), []);
  return open;
}
