package io.herald.sender.consume;

import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * Offset bookkeeping of one partition: which fetched records still have no recorded outcome, and so
 * which offset may be committed. Pure and thread-safe (lanes mark records done from their threads
 * while the poll thread tracks and commits).
 *
 * <p>The committable offset is the lowest pending offset (the next record to consume after a
 * restart is the first whose outcome is unknown), or one past the highest tracked offset when
 * nothing is pending, or the fetch position when that is further (transaction markers leave gaps in
 * the offsets of a transactionally produced topic).
 */
public final class CommittableOffsets {

  private final TreeSet<Long> pending = new TreeSet<>();
  private long highestTracked = -1;
  private long fetchPosition = -1;
  private long lastCommitted = -1;

  /** A fetched record whose outcome is not recorded yet. Offsets arrive in increasing order. */
  public synchronized void track(long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0: " + offset);
    }
    pending.add(offset);
    highestTracked = Math.max(highestTracked, offset);
  }

  /** The outcome of the record at {@code offset} is recorded. Unknown offsets are ignored. */
  public synchronized void done(long offset) {
    pending.remove(offset);
  }

  /**
   * The consumer's position after a poll: every record below it was tracked. Lets the commit move
   * past control records when nothing is pending.
   */
  public synchronized void fetchedUpTo(long position) {
    fetchPosition = Math.max(fetchPosition, position);
  }

  /** The offset to commit (the next record to read), or empty when nothing was ever tracked. */
  public synchronized OptionalLong committable() {
    if (!pending.isEmpty()) {
      return OptionalLong.of(pending.first());
    }
    long next = Math.max(highestTracked + 1, fetchPosition);
    return next <= 0 ? OptionalLong.empty() : OptionalLong.of(next);
  }

  /** The committable offset when it moved past the last one committed, else empty. */
  public synchronized OptionalLong toCommit() {
    OptionalLong c = committable();
    if (c.isPresent() && c.getAsLong() > lastCommitted) {
      return c;
    }
    return OptionalLong.empty();
  }

  /** Remembers that {@code offset} was committed. */
  public synchronized void committed(long offset) {
    lastCommitted = Math.max(lastCommitted, offset);
  }

  /** Records fetched but without a recorded outcome. */
  public synchronized int inFlight() {
    return pending.size();
  }
}
