package io.herald.sender.transport;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read up to a cap: the first {@code max} bytes, then the subscription is cancelled
 * (the connection is closed instead of draining the rest), so an endless or huge answer costs at
 * most {@code max} bytes and never holds the call open.
 */
public final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {

  private final int max;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final CompletableFuture<byte[]> result = new CompletableFuture<>();
  private Flow.Subscription subscription;

  private BoundedBody(int max) {
    this.max = max;
  }

  /** A handler whose bodies are at most {@code max} bytes. */
  public static HttpResponse.BodyHandler<byte[]> handler(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be positive");
    }
    return info -> new BoundedBody(max);
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return result;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    if (result.isDone()) {
      return;
    }
    for (ByteBuffer b : items) {
      int room = max - out.size();
      int n = Math.min(room, b.remaining());
      byte[] chunk = new byte[n];
      b.get(chunk);
      out.write(chunk, 0, n);
      if (b.hasRemaining()) {
        // over the cap: keep what fits, stop reading
        subscription.cancel();
        result.complete(out.toByteArray());
        return;
      }
    }
    subscription.request(1);
  }

  @Override
  public void onError(Throwable t) {
    result.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    result.complete(out.toByteArray());
  }
}
