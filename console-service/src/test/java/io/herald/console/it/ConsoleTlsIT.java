package io.herald.console.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.console.app.ConsoleApp;
import io.herald.console.app.ConsoleConfig;
import io.herald.testsupport.KafkaTestBroker;
import io.herald.testsupport.PostgresTestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mTLS: with a key store, a password file and a trust store the console speaks HTTPS only and
 * requires a client certificate; the certificate's CN is a {@code name:scope:cert} line of the
 * tokens file. Certificates made here with the JDK's keytool: a CA, the server's, two clients'.
 */
class ConsoleTlsIT {

  private static final String PASSWORD = "it-store-password";

  @TempDir static Path dir;
  static ConsoleApp app;

  @BeforeAll
  static void start() throws Exception {
    keytool(
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "EC",
        "-dname",
        "CN=it-ca",
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-keystore",
        store("ca"));
    keytool(
        "-exportcert", "-rfc", "-alias", "ca", "-keystore", store("ca"), "-file", file("ca.pem"));
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        file("ca.pem"),
        "-keystore",
        store("trust"));
    signed("server", "CN=127.0.0.1", "san=ip:127.0.0.1");
    signed("ops", "CN=ops-cert", null);
    signed("stranger", "CN=stranger", null);
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "ops-cert:*:cert\n");
    Path passwordFile = dir.resolve("password");
    Files.writeString(passwordFile, PASSWORD + "\n");
    PostgresTestDatabase db = PostgresTestDatabase.shared();
    Map<String, String> env = new HashMap<>();
    env.put("HERALD_CONSOLE_ENABLED", "true");
    env.put("HERALD_CONSOLE_PORT", "0");
    env.put("HERALD_CONSOLE_METRICS_PORT", "0");
    env.put("HERALD_CONSOLE_TOKENS_FILE", tokens.toString());
    env.put("HERALD_CONSOLE_TLS_KEYSTORE", store("server"));
    env.put("HERALD_CONSOLE_TLS_PASSWORD_FILE", passwordFile.toString());
    env.put("HERALD_CONSOLE_TLS_TRUSTSTORE", store("trust"));
    env.put("HERALD_CONSOLE_BOOTSTRAP_SERVERS", KafkaTestBroker.shared().bootstrapServers());
    env.put("HERALD_CONSOLE_JDBC_URL", db.jdbcUrl());
    env.put("HERALD_CONSOLE_JDBC_USER", db.user());
    env.put("HERALD_CONSOLE_JDBC_PASSWORD", db.password() == null ? "" : db.password());
    app = ConsoleApp.start(ConsoleConfig.fromEnv(env), Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void aClientCertificateNamedInTheTokensFileIsSignedIn() throws Exception {
    assertThat(app.url()).startsWith("https://127.0.0.1:");
    HttpClient client = client("ops");
    HttpResponse<String> r =
        client.send(HttpRequest.newBuilder(URI.create(app.url())).build(), body());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("ops-cert (operator)")
        .contains("data-metric=\"active-definitions\"");
    assertThat(r.headers().firstValue("Set-Cookie")).get().asString().contains("Secure");
  }

  @Test
  void aCertificateTheTokensFileDoesNotNameGetsTheLoginPage() throws Exception {
    HttpResponse<String> r =
        client("stranger").send(HttpRequest.newBuilder(URI.create(app.url())).build(), body());
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).contains("/login");
  }

  @Test
  void noClientCertificateNoConnection() throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(context(null)).build();
    assertThatThrownBy(
            () -> client.send(HttpRequest.newBuilder(URI.create(app.url())).build(), body()))
        .isInstanceOf(IOException.class);
  }

  private static HttpResponse.BodyHandler<String> body() {
    return HttpResponse.BodyHandlers.ofString();
  }

  private static HttpClient client(String name) throws Exception {
    return HttpClient.newBuilder().sslContext(context(name)).build();
  }

  private static SSLContext context(String keyStore) throws Exception {
    KeyManagerFactory kmf = null;
    if (keyStore != null) {
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(load(store(keyStore)), PASSWORD.toCharArray());
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(load(store("trust")));
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  private static KeyStore load(String path) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(Path.of(path))) {
      ks.load(in, PASSWORD.toCharArray());
    }
    return ks;
  }

  /** A key pair in {@code <name>.p12} whose certificate the CA signed (chain imported). */
  private static void signed(String name, String dname, String san) throws Exception {
    keytool(
        "-genkeypair",
        "-alias",
        name,
        "-keyalg",
        "EC",
        "-dname",
        dname,
        "-validity",
        "2",
        "-keystore",
        store(name));
    keytool("-certreq", "-alias", name, "-keystore", store(name), "-file", file(name + ".csr"));
    List<String> gencert =
        new ArrayList<>(
            List.of(
                "-gencert",
                "-rfc",
                "-alias",
                "ca",
                "-keystore",
                store("ca"),
                "-infile",
                file(name + ".csr"),
                "-outfile",
                file(name + ".pem"),
                "-validity",
                "2"));
    if (san != null) {
      gencert.add("-ext");
      gencert.add(san);
    }
    keytool(gencert.toArray(String[]::new));
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        file("ca.pem"),
        "-keystore",
        store(name));
    keytool("-importcert", "-alias", name, "-file", file(name + ".pem"), "-keystore", store(name));
  }

  private static String store(String name) {
    return dir.resolve(name + ".p12").toString();
  }

  private static String file(String name) {
    return dir.resolve(name).toString();
  }

  private static void keytool(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", args) + ": " + out).isZero();
  }
}
