package io.herald.sender.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Resolves a host name to its addresses; {@link #SYSTEM} in production, a table in tests. */
@FunctionalInterface
public interface HostResolver {

  /** The JVM's resolver (and its cache: 30 s for answers, 10 s for failures by default). */
  HostResolver SYSTEM = InetAddress::getAllByName;

  InetAddress[] resolve(String host) throws UnknownHostException;
}
