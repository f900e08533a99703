package io.herald.sender.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.sender.transport.TransportResponse.Failure;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * The split between "the request certainly did not reach the server" and "it may have been
 * received", on the exception chains the JDK 17 HTTP client produces (observed on loopback).
 */
class HttpResponsesTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private static <T extends Throwable> T caused(T t, Throwable cause) {
    t.initCause(cause);
    return t;
  }

  private static TransportResponse failure(Throwable t) {
    return HttpResponses.failure(new CompletionException(t), TIMEOUT);
  }

  @Test
  void shouldBeNotSentWhenConnectionRefusedOrHostUnknown() {
    TransportResponse refused =
        failure(caused(new ConnectException(), new ClosedChannelException()));
    assertThat(refused.failure()).isEqualTo(Failure.CONNECTION);
    assertThat(refused.errorMessage()).isEqualTo("connection refused");
    TransportResponse dns =
        failure(caused(new ConnectException(), new UnresolvedAddressException()));
    assertThat(dns.failure()).isEqualTo(Failure.CONNECTION);
    assertThat(dns.errorMessage()).isEqualTo("host not resolved");
    assertThat(failure(new UnknownHostException("x")).failure()).isEqualTo(Failure.CONNECTION);
    assertThat(failure(new NoRouteToHostException()).failure()).isEqualTo(Failure.CONNECTION);
  }

  @Test
  void shouldBeNotSentWhenConnectTimedOutOrTlsHandshakeFailed() {
    // a connect timeout is an HttpTimeoutException too: it must not be taken for a response one
    TransportResponse connect =
        failure(
            caused(
                new HttpConnectTimeoutException("HTTP connect timed out"),
                new ConnectException("HTTP connect timed out")));
    assertThat(connect.failure()).isEqualTo(Failure.CONNECTION);
    assertThat(connect.errorMessage()).isEqualTo("connect timed out");
    TransportResponse tls = failure(new SSLHandshakeException("Remote host terminated"));
    assertThat(tls.failure()).isEqualTo(Failure.CONNECTION);
    assertThat(tls.errorMessage()).isEqualTo("TLS handshake failed");
  }

  @Test
  void shouldBeTimeoutWhenNoAnswerAfterRequestLeft() {
    TransportResponse r = failure(new HttpTimeoutException("request timed out"));
    assertThat(r.failure()).isEqualTo(Failure.TIMEOUT);
    assertThat(r.errorMessage()).isEqualTo("no answer within PT15S");
  }

  @Test
  void shouldBeConnectionLostWhenResetClosedOrIncompleteAfterRequestWritten() {
    TransportResponse closed =
        failure(
            caused(
                new IOException("HTTP/1.1 header parser received no bytes"),
                new EOFException("EOF reached while reading")));
    assertThat(closed.failure()).isEqualTo(Failure.CONNECTION_LOST);
    assertThat(closed.errorMessage()).contains("IOException (EOFException)");
    TransportResponse reset =
        failure(
            caused(
                new IOException("HTTP/1.1 header parser received no bytes"),
                new SocketException("Connection reset")));
    assertThat(reset.failure()).isEqualTo(Failure.CONNECTION_LOST);
    TransportResponse partial =
        failure(
            caused(
                new IOException("fixed content-length: 100, bytes received: 4"),
                new EOFException()));
    assertThat(partial.failure()).isEqualTo(Failure.CONNECTION_LOST);
  }

  @Test
  void shouldBeConnectionLostWhenErrorUnrecognised() {
    TransportResponse r = HttpResponses.failure(new IllegalStateException("boom"), TIMEOUT);
    assertThat(r.failure()).isEqualTo(Failure.CONNECTION_LOST);
    assertThat(r.errorMessage()).isEqualTo("client error: IllegalStateException");
  }
}
