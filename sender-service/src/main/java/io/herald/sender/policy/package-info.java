/**
 * What a device row may reach (ADR 0014), pure: which environment variables its {@code
 * transport_config} may name, which base URLs it may send to, which media URLs may go out. Built
 * from the operator's configuration; imports only {@code java.*}. The transports apply it before
 * any request.
 */
package io.herald.sender.policy;
