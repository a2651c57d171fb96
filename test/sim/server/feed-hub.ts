/**
 * Fan-out of data frames: which connections follow which topic, and delivery that honours a stalled
 * feed. A frame is serialised once per publication and handed to every subscriber of its topic; topics
 * nobody follows cost nothing (`has` lets producers skip building the frame).
 */
import type { Connection } from "./connection.js";
import type { TransportFaults } from "./transport-faults.js";

export class FeedHub {
  private readonly byTopic = new Map<string, Set<Connection>>();

  constructor(private readonly faults: TransportFaults) {}

  add(topic: string, connection: Connection): void {
    let subscribers = this.byTopic.get(topic);
    if (subscribers === undefined) {
      subscribers = new Set();
      this.byTopic.set(topic, subscribers);
    }
    subscribers.add(connection);
  }

  remove(topic: string, connection: Connection): void {
    const subscribers = this.byTopic.get(topic);
    if (subscribers === undefined) return;
    subscribers.delete(connection);
    if (subscribers.size === 0) this.byTopic.delete(topic);
  }

  has(topic: string): boolean {
    return this.byTopic.has(topic);
  }

  /**
   * Sends `frame` (on `channel`) to every subscriber of `topic`, unless that channel — or that topic, e.g.
   * `l2Book:@107:fast`, one coin's frames — is stalled.
   */
  publish(topic: string, channel: string, frame: string | (() => string)): void {
    const subscribers = this.byTopic.get(topic);
    if (subscribers === undefined || this.faults.isStalled(channel) || this.faults.isStalled(topic)) return;
    const text = typeof frame === "string" ? frame : frame();
    for (const connection of subscribers) connection.send(text);
  }

  /** Sends one data frame to one connection (a subscription's initial snapshot), honouring a stall. */
  deliver(connection: Connection, channel: string, frame: string): void {
    if (!this.faults.isStalled(channel)) connection.send(frame);
  }
}
