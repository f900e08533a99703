package io.herald.sender.lane;

import java.util.concurrent.CompletionException;

/** The cause a step acts on, out of the wrappers a future's failure comes in. */
final class Failures {

  private Failures() {}

  static RuntimeException unwrap(Throwable err) {
    Throwable t = err;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof RuntimeException ? (RuntimeException) t : new IllegalStateException(t);
  }
}
