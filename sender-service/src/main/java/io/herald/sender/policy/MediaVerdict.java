package io.herald.sender.policy;

/**
 * What {@link DevicePolicy#checkMedia} decided without a DNS look-up: refused (with the reason),
 * allowed, or allowed once {@link #hostToResolve()} resolves to public addresses only.
 *
 * @param refusal why the URL may not go out, or null
 * @param hostToResolve a host name whose addresses must still be checked ({@link
 *     DevicePolicy#refuseResolved}), or null
 */
public record MediaVerdict(String refusal, String hostToResolve) {

  static final MediaVerdict ALLOWED = new MediaVerdict(null, null);

  static MediaVerdict refused(String reason) {
    return new MediaVerdict(reason, null);
  }

  static MediaVerdict resolve(String host) {
    return new MediaVerdict(null, host);
  }

  public boolean refused() {
    return refusal != null;
  }
}
