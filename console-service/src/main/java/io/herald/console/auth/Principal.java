package io.herald.console.auth;

import java.util.Optional;
import java.util.UUID;

/**
 * Who is asking: a name from the tokens file (what the audit records; never the token) and the
 * scope, either every tenant (an operator) or one tenant.
 *
 * @param tenant null for an operator; otherwise the one tenant ({@code user_id}) this session sees
 */
public record Principal(String name, UUID tenant) {

  public boolean operator() {
    return tenant == null;
  }

  public Optional<UUID> tenantScope() {
    return Optional.ofNullable(tenant);
  }

  /** True when this principal may see a row of {@code owner} (a null owner: operators only). */
  public boolean sees(UUID owner) {
    return tenant == null || tenant.equals(owner);
  }
}
