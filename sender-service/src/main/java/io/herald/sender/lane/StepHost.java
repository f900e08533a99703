package io.herald.sender.lane;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the step classes ({@link ClaimStep}, {@link CallStep}, {@link OutcomeRecorder}) may use of
 * their {@link DeviceLane}: its identity for logs, its pause flag, and its way of waiting. They run
 * inside the lane's step (the lane is busy) and never wait on a thread: they return {@link
 * StepResult#ASYNC} from {@link #await} or {@link #continueLater}, whose continuation runs on the
 * lane executor and ends the step.
 */
interface StepHost {

  String deviceId();

  int partition();

  /** Whose claims this lane makes: its instance and its partition's epoch (ADR 0017). */
  io.herald.sender.ledger.ClaimOwner owner();

  /** Commands queued in the lane, for logs. */
  int depth();

  /** Holds the lane's commands (an account in danger); the device's status decides later. */
  void markPaused();

  /**
   * The device is not active: the lane holds its commands (parks them) until it is again; {@code
   * e}, whose pre-check found it, ends its step right after.
   */
  void held(LaneEntry e, io.herald.sender.delivery.PreCheck.Hold h);

  /** The device passed the pre-checks: a held lane resumes. */
  void active();

  /**
   * Continues the step with {@code then} once {@code f} completes, on the lane executor (not on the
   * ledger's or the transport's thread); a failure of {@code f} fails the step.
   */
  <T> StepResult await(LaneEntry e, CompletableFuture<T> f, Function<T, StepResult> then);

  /** Runs {@code body} as the continuation of the step, on the lane executor. */
  void continueLater(LaneEntry e, Supplier<StepResult> body);
}
