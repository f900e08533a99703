package io.herald.console.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The console's credentials, one per line {@code name:scope:secret}: scope {@code *} is an operator
 * (every tenant), a tenant UUID limits the holder to that tenant. The secret is a token of at least
 * {@value #MIN_TOKEN_LENGTH} characters, or the word {@code cert}: then {@code name} is the CN of a
 * client certificate (mTLS). {@code #} starts a comment line. A malformed line fails the whole file
 * — a console that silently ignores a credential line is worse than one that does not start — and
 * the error names the line number, never its content (it may hold a token).
 */
public final class TokensFile {

  public static final int MIN_TOKEN_LENGTH = 32;
  public static final String CERT = "cert";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
  private static final Pattern UUID_TEXT =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private record Entry(Principal principal, byte[] token) {}

  private final List<Entry> tokens;
  private final Map<String, Principal> certificates;

  private TokensFile(List<Entry> tokens, Map<String, Principal> certificates) {
    this.tokens = tokens;
    this.certificates = certificates;
  }

  public static TokensFile read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8));
  }

  /**
   * @throws IllegalArgumentException naming the first bad line's number and what is wrong
   */
  public static TokensFile parse(String text) {
    List<Entry> tokens = new ArrayList<>();
    java.util.LinkedHashMap<String, Principal> certs = new java.util.LinkedHashMap<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = "tokens file line " + (i + 1) + ": ";
      String[] parts = line.split(":", 3);
      if (parts.length != 3) {
        throw new IllegalArgumentException(where + "expected name:scope:token");
      }
      String name = parts[0].strip();
      String scope = parts[1].strip();
      String secret = parts[2].strip();
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            where + "the name must be 1-64 letters, digits, '.', '_', '@' or '-'");
      }
      UUID tenant;
      if (scope.equals("*")) {
        tenant = null;
      } else if (UUID_TEXT.matcher(scope).matches()) {
        tenant = UUID.fromString(scope);
      } else {
        throw new IllegalArgumentException(where + "the scope must be * or a tenant UUID");
      }
      Principal principal = new Principal(name, tenant);
      if (secret.equals(CERT)) {
        if (certs.putIfAbsent(name, principal) != null) {
          throw new IllegalArgumentException(where + "a second cert line for the same name");
        }
        continue;
      }
      if (secret.length() < MIN_TOKEN_LENGTH) {
        throw new IllegalArgumentException(
            where + "the token must have at least " + MIN_TOKEN_LENGTH + " characters");
      }
      if (!names.add(name)) {
        // the audit names the principal: two tokens under one name would blur who did what
        throw new IllegalArgumentException(where + "a second token for the same name");
      }
      tokens.add(new Entry(principal, secret.getBytes(StandardCharsets.UTF_8)));
    }
    return new TokensFile(List.copyOf(tokens), Map.copyOf(certs));
  }

  /** The holder of {@code token}; compared in constant time against every entry. */
  public Optional<Principal> byToken(String token) {
    if (token == null || token.isEmpty()) {
      return Optional.empty();
    }
    byte[] given = token.getBytes(StandardCharsets.UTF_8);
    Principal found = null;
    for (Entry e : tokens) {
      // no early exit: the time taken does not tell which entry (or whether any) matched
      if (MessageDigest.isEqual(e.token(), given) && found == null) {
        found = e.principal();
      }
    }
    return Optional.ofNullable(found);
  }

  /** The principal a client certificate with this subject CN maps to. */
  public Optional<Principal> byCertificate(String commonName) {
    return Optional.ofNullable(certificates.get(commonName));
  }

  public int tokenCount() {
    return tokens.size();
  }

  public int certificateCount() {
    return certificates.size();
  }
}
