package io.herald.sender.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Opt-out lookup in {@code contacts}, read at send time (never cached: a contact may opt out after
 * the occurrence fired). Phone numbers match with or without the leading {@code +}.
 */
public final class JdbcOptOuts implements OptOuts {

  private static final String BY_ID_OR_PHONE =
      "SELECT EXISTS (SELECT 1 FROM contacts WHERE user_id = ? AND opted_out"
          + " AND (id = ? OR phone_number IN (?, ?)))";

  private final DataSource dataSource;

  public JdbcOptOuts(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  @Override
  public boolean optedOut(String tenantId, String contactId, String recipient) {
    UUID tenant = SqlValues.uuidOrNull(tenantId);
    if (tenant == null) {
      return false;
    }
    String digits = recipient == null ? "" : recipient.replaceAll("[^0-9]", "");
    if (digits.isEmpty() && contactId == null) {
      return false;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(BY_ID_OR_PHONE)) {
      ps.setObject(1, tenant, Types.OTHER);
      ps.setObject(2, SqlValues.uuidOrNull(contactId), Types.OTHER);
      ps.setString(3, digits.isEmpty() ? null : "+" + digits);
      ps.setString(4, digits.isEmpty() ? null : digits);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    } catch (SQLException e) {
      throw new LedgerException("Cannot check opt-out", e);
    }
  }
}
