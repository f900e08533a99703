package io.herald.sender.lane;

import io.herald.contracts.command.SendCommand;
import io.herald.sender.delivery.Verdict;
import io.herald.sender.ledger.Finish;
import java.time.Instant;

/**
 * A command in a lane and what is known about it so far. Its steps run one at a time (one chain per
 * entry); the fields the lane's selection reads ({@link #active}, {@link #readyAt}) change under
 * the lane's lock.
 */
final class LaneEntry {
  final PendingCommand pending;
  boolean claimed;
  boolean optOutChecked;
  int calls;
  Instant notBefore;
  Terminal terminal;

  /** Failed steps whose failure the command's content caused (not the database). */
  int contentFailures;

  /** Loaded from the parked backlog: it stays there until its outcome is recorded. */
  boolean fromBacklog;

  /** A step chain of this entry runs (one of the lane's calls in flight, or about to be). */
  boolean active;

  /** Not to be started again before this instant (pacing, a recheck), or null. */
  Instant readyAt;

  /**
   * What goes out: the command as text or as its template, decided once by the recipient's window
   * before the first call (ADR 0021); null until then.
   */
  SendCommand outgoing;

  /** Goes out as a template outside the recipient's window: the messaging limit admits it first. */
  boolean needsAdmission;

  /** Counted against the tenant's frequency caps (once; a retry does not count again). */
  boolean capChecked;

  /** Outside its quiet hours (checked before every attempt until it passed once). */
  boolean quietChecked;

  /**
   * Deferred by a sending policy (quiet hours, the messaging limit) for hours, not seconds: picks
   * skip it cheaply, and its deadline does not expire it for the time Herald itself held it.
   */
  boolean deferredByPolicy;

  /** {@link System#nanoTime} when this attempt's claim (or begin) committed: send time's start. */
  long attemptStartNanos;

  /** The start slot the pacer gave this entry, until its call starts (cancelled if it never). */
  Pacer.Reservation reservation;

  LaneEntry(PendingCommand pending) {
    this.pending = pending;
  }

  /** Nothing done for it yet: it may leave memory and come back later unchanged. */
  boolean untouched() {
    return !claimed
        && terminal == null
        && calls == 0
        && contentFailures == 0
        && notBefore == null
        && reservation == null;
  }

  SendCommand cmd() {
    return pending.command();
  }

  /** Makes {@code verdict} the command's outcome, with the calls made so far, to be recorded. */
  void conclude(Verdict verdict, Instant at, String transport) {
    terminal =
        new Terminal(
            new Finish(
                verdict.status(),
                calls,
                verdict.messageId(),
                verdict.code(),
                verdict.reason(),
                at,
                calls == 0 || outgoing == null
                    ? null
                    : outgoing.sendsTemplate() ? "template" : "text"),
            transport,
            false);
  }

  /** A decided outcome not yet fully recorded (the ledger write or the publish may be retried). */
  static final class Terminal {
    final Finish finish;
    final String transport;
    boolean ledgerWritten;

    Terminal(Finish finish, String transport, boolean ledgerWritten) {
      this.finish = finish;
      this.transport = transport;
      this.ledgerWritten = ledgerWritten;
    }
  }
}
