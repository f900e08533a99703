package io.herald.scheduler.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.contracts.event.RuleSpec;
import io.herald.contracts.event.ScheduleKind;
import io.herald.contracts.outcome.ErrorReason;
import io.herald.contracts.outcome.ScheduleError;
import io.herald.scheduler.rule.Compilation;
import io.herald.scheduler.rule.CompiledSchedule;
import io.herald.scheduler.rule.RuleCompiler;
import io.herald.scheduler.schedule.ScheduleValidator.DeviceCheck;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The schedule state machine alone: a standing, an event and now in, a decision out. */
class ScheduleLifecycleTest {

  private static final Instant NOW = Instant.parse("2026-06-01T06:00:00Z");
  private static final Instant NINE = Instant.parse("2026-06-01T09:00:00Z");
  private static final Instant NINE_NEXT_DAY = Instant.parse("2026-06-02T09:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String KEY = ScheduleKind.RECURRING.keyFor("r1");
  private static final String CONTACT = "0b6f4e3a-7d52-4c1e-9a0f-1e2d3c4b5a69";
  private static final RuleSpec DAILY =
      new RuleSpec(
          "daily", 1, null, null, "09:00", null, null, "UTC", null, null, null, null, null, null);

  private final ScheduleLifecycle lifecycle = new ScheduleLifecycle(100, WAIT);

  private static Definition change(
      List<String> recipients, RuleSpec rule, boolean active, String status, Instant createdAt) {
    return new Definition(
        KEY,
        ScheduleKind.RECURRING,
        "t1",
        "d1",
        "n",
        "Hello {name}",
        null,
        recipients,
        rule,
        null,
        active,
        status,
        7,
        createdAt,
        List.of());
  }

  private static Definition daily() {
    return change(List.of("+6281234567890"), DAILY, true, "active", NOW);
  }

  private static Standing armed(Instant due, Instant lastFired, long executions) {
    return new Standing(ScheduleStatus.ARMED, 3, due, lastFired, executions, 1, null);
  }

  private static Standing held(Instant since) {
    return new Standing(ScheduleStatus.AWAITING_DEVICE, 0, null, null, 0, 1, since);
  }

  /** A directory that knows the given devices (checking as {@code known}) and contacts. */
  private record Known(Set<String> devices, Set<String> contacts, DeviceCheck known)
      implements Directory {
    static Known everything() {
      return new Known(Set.of("d1"), Set.of(CONTACT), DeviceCheck.OK);
    }

    static Known nothing() {
      return new Known(Set.of(), Set.of(), DeviceCheck.OK);
    }

    static Known deviceOnly() {
      return new Known(Set.of("d1"), Set.of(), DeviceCheck.OK);
    }

    @Override
    public DeviceCheck device(String tenantId, String deviceId) {
      return devices.contains(deviceId) ? known : DeviceCheck.UNKNOWN;
    }

    @Override
    public boolean deviceSeen(String deviceId) {
      return devices.contains(deviceId);
    }

    @Override
    public boolean contactKnown(String contactId) {
      return contacts.contains(contactId);
    }
  }

  private Decision onChange(Standing s, Definition c, Directory d) {
    return lifecycle.onChange(KEY, s, null, c, d, NOW);
  }

  private static CompiledSchedule compiled(RuleSpec rule) {
    return ((Compilation.Valid) RuleCompiler.compile(rule, NOW)).schedule();
  }

  @Nested
  class Changes {

    @Test
    void shouldArmTheFirstOccurrenceWhenAValidScheduleArrives() {
      Decision d = onChange(Standing.none(), daily(), Known.everything());

      assertThat(d)
          .isInstanceOfSatisfying(
              Decision.Accept.class,
              a -> {
                assertThat(a.armsAt()).contains(NINE);
                assertThat(a.after())
                    .isEqualTo(new Standing(ScheduleStatus.ARMED, 1, NINE, null, 0, 1, null));
                assertThat(a.recipients()).containsExactly("+6281234567890");
                assertThat(a.definition().recipients()).isEmpty();
                assertThat(a.contactsUnknown()).isFalse();
              });
    }

    @Test
    void shouldDeleteKeepingWhatFiredWhenATombstoneArrives() {
      // A DELETE change reaches the lifecycle as null too (WireDefinitionsTest).
      Definition c = null;

      Decision d = onChange(armed(NINE_NEXT_DAY, NINE, 1), c, Known.everything());

      assertThat(d)
          .isEqualTo(
              new Decision.Delete(new Standing(ScheduleStatus.DELETED, 3, null, NINE, 1, 0, null)));
    }

    @ParameterizedTest
    @CsvSource({"false,active", "false,draft", "true,' Cancelled '"})
    void shouldGoInactiveWhenTheSourceSaysSo(boolean active, String status) {
      Decision d =
          onChange(
              armed(NINE, null, 0),
              change(List.of("+6281234567890"), DAILY, active, status, NOW),
              Known.everything());

      assertThat(d)
          .isInstanceOfSatisfying(
              Decision.GoInactive.class,
              g -> {
                assertThat(g.after())
                    .isEqualTo(new Standing(ScheduleStatus.INACTIVE, 3, null, null, 0, 1, null));
                assertThat(g.definition().recipients()).isEmpty();
              });
    }

    @Test
    void shouldArmADraftItsSourceMadeActive() {
      // the CDC edge makes a seed draft with scheduled_at active (HERALD_SEED_COMPAT, ADR 0018)
      Decision d =
          onChange(
              armed(NINE, null, 0),
              change(List.of("+6281234567890"), DAILY, true, "draft", NOW),
              Known.everything());

      assertThat(d).isInstanceOf(Decision.Accept.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"completed", "FAILED"})
    void shouldFinishWithoutFiringWhenTheSourceIsOverAndNothingFired(String status) {
      Decision d =
          onChange(
              armed(NINE, null, 0),
              change(List.of("+6281234567890"), DAILY, true, status, NOW),
              Known.everything());

      assertThat(d)
          .isEqualTo(
              new Decision.FinishAtSource(
                  new Standing(ScheduleStatus.FINISHED, 3, null, null, 0, 1, null)));
    }

    @Test
    void shouldKeepArmingWhenTheSourceIsOverButItFiredBefore() {
      Decision d =
          onChange(
              armed(NINE_NEXT_DAY, NINE, 1),
              change(List.of("+6281234567890"), DAILY, true, "completed", NOW),
              Known.everything());

      assertThat(d).isInstanceOf(Decision.Accept.class);
    }

    @Test
    void shouldRejectWithEveryProblemAndKeepOnlyASkeleton() {
      Definition bad = change(List.of("not-a-number"), null, true, "active", NOW);

      Decision d = onChange(armed(NINE, null, 0), bad, Known.everything());

      assertThat(d)
          .isInstanceOfSatisfying(
              Decision.Reject.class,
              r -> {
                ScheduleError e = r.error();
                assertThat(e.reasons()).hasSizeGreaterThanOrEqualTo(2);
                assertThat(e.scheduleKey()).isEqualTo(KEY);
                assertThat(e.detectedAt()).isEqualTo(NOW);
                assertThat(r.skeleton().message()).isNull();
                assertThat(r.skeleton().createdAt()).isEqualTo(NOW);
                assertThat(r.after())
                    .isEqualTo(new Standing(ScheduleStatus.INVALID, 3, null, null, 0, 1, null));
              });
    }

    @Test
    void shouldRejectAnotherTenantsDevice() {
      Directory foreign = new Known(Set.of("d1"), Set.of(), DeviceCheck.FOREIGN);

      Decision d = onChange(Standing.none(), daily(), foreign);

      assertThat(d)
          .isInstanceOfSatisfying(
              Decision.Reject.class,
              r -> assertThat(r.error().reason()).isEqualTo(ErrorReason.FOREIGN_DEVICE));
    }

    @Test
    void shouldAnchorAChangeWithoutCreatedAtAtTheStoredOne() {
      Instant stored = NOW.minus(Duration.ofDays(3));
      Definition c = change(List.of("+6281234567890"), DAILY, true, "active", null);

      Decision keeps = lifecycle.onChange(KEY, Standing.none(), stored, c, Known.everything(), NOW);
      Decision anchorsNow =
          lifecycle.onChange(KEY, Standing.none(), null, c, Known.everything(), NOW);

      assertThat(((Decision.Accept) keeps).definition().createdAt()).isEqualTo(stored);
      assertThat(((Decision.Accept) anchorsNow).definition().createdAt()).isEqualTo(NOW);
    }
  }

  @Nested
  class Arming {

    static Stream<Arguments> anchors() {
      Instant eightToday = Instant.parse("2026-06-01T08:00:00Z");
      return Stream.of(
          // a pending timer already due is not skipped by an update racing the punctuation
          Arguments.of(
              armed(Instant.parse("2026-05-31T09:00:00Z"), null, 0),
              Instant.parse("2026-05-30T00:00:00Z"),
              Instant.parse("2026-05-31T09:00:00Z")),
          // a never-fired schedule counts from its creation
          Arguments.of(
              Standing.none(),
              Instant.parse("2026-05-31T08:00:00Z"),
              Instant.parse("2026-05-31T09:00:00Z")),
          // a fired occurrence never fires again, even when the update changes nothing
          Arguments.of(
              new Standing(
                  ScheduleStatus.FINISHED,
                  3,
                  null,
                  Instant.parse("2026-05-31T09:00:00Z"),
                  1,
                  1,
                  null),
              eightToday,
              NINE),
          Arguments.of(armed(NINE_NEXT_DAY, NINE, 1), NOW, NINE_NEXT_DAY));
    }

    @ParameterizedTest
    @MethodSource("anchors")
    void shouldArmFromTheEarlierOfNowAndItsAnchorButNeverAtOrBeforeTheLastFired(
        Standing s, Instant createdAt, Instant expected) {
      Decision d =
          onChange(
              s,
              change(List.of("+6281234567890"), DAILY, true, "active", createdAt),
              Known.everything());

      assertThat(((Decision.Accept) d).armsAt()).contains(expected);
    }

    @Test
    void shouldFinishWhenMaxExecutionsAreReached() {
      RuleSpec twice =
          new RuleSpec(
              "daily", 1, null, null, "09:00", null, null, "UTC", null, null, 2, null, null, null);

      Decision d =
          onChange(
              new Standing(ScheduleStatus.ARMED, 3, NINE_NEXT_DAY, NINE, 2, 1, null),
              change(List.of("+6281234567890"), twice, true, "active", NOW),
              Known.everything());

      assertThat(d)
          .isInstanceOfSatisfying(
              Decision.Accept.class,
              a -> {
                assertThat(a.armsAt()).isEmpty();
                assertThat(a.after().status()).isEqualTo(ScheduleStatus.FINISHED);
                assertThat(a.after().generation()).isEqualTo(4);
              });
    }
  }

  @Nested
  class DeviceWait {

    @Test
    void shouldHoldANewScheduleUntilItsDeviceArrives() {
      Decision d = onChange(Standing.none(), daily(), Known.nothing());

      assertThat(d)
          .isInstanceOfSatisfying(
              Decision.Hold.class,
              h -> {
                assertThat(h.until()).isEqualTo(NOW.plus(WAIT));
                assertThat(h.firstHold()).isTrue();
                assertThat(h.deviceKnown()).isFalse();
                assertThat(h.after())
                    .isEqualTo(
                        new Standing(ScheduleStatus.AWAITING_DEVICE, 0, null, null, 0, 1, NOW));
              });
    }

    @Test
    void shouldKeepTheFirstDeadlineWhileStillHeld() {
      Instant since = NOW.minusSeconds(10);

      Decision d = onChange(held(since), daily(), Known.nothing());

      assertThat(d)
          .isInstanceOfSatisfying(
              Decision.Hold.class,
              h -> {
                assertThat(h.until()).isEqualTo(since.plus(WAIT));
                assertThat(h.firstHold()).isFalse();
              });
    }

    @Test
    void shouldRejectAnUnknownDeviceOnceTheWaitRanOut() {
      Decision d = onChange(held(NOW.minus(WAIT)), daily(), Known.nothing());

      assertThat(d)
          .isInstanceOfSatisfying(
              Decision.Reject.class,
              r -> {
                assertThat(r.error().reason()).isEqualTo(ErrorReason.UNKNOWN_DEVICE);
                assertThat(r.error().reasons()).containsExactly("device d1 is unknown");
              });
    }

    @ParameterizedTest
    @CsvSource({"0,HOLD", "30,ACCEPT_ANYWAY"})
    void shouldWaitForUnknownContactsThenArmAnyway(long secondsHeld, String expected) {
      Definition c = change(List.of(CONTACT), DAILY, true, "active", NOW);
      Standing s = secondsHeld == 0 ? Standing.none() : held(NOW.minusSeconds(secondsHeld));

      Decision d = onChange(s, c, Known.deviceOnly());

      if (expected.equals("HOLD")) {
        assertThat(d)
            .isInstanceOfSatisfying(Decision.Hold.class, h -> assertThat(h.deviceKnown()).isTrue());
      } else {
        assertThat(d)
            .isInstanceOfSatisfying(
                Decision.Accept.class, a -> assertThat(a.contactsUnknown()).isTrue());
      }
    }

    @Test
    void shouldNotHoldBackAnArmedScheduleForItsContacts() {
      Definition c = change(List.of(CONTACT), DAILY, true, "active", NOW);

      Decision d = onChange(armed(NINE, null, 0), c, Known.deviceOnly());

      assertThat(d)
          .isInstanceOfSatisfying(
              Decision.Accept.class, a -> assertThat(a.contactsUnknown()).isFalse());
    }
  }

  @Nested
  class Recheck {

    private Decision recheck(Standing s, Instant deadline, Directory d) {
      return lifecycle.onRecheck(
          KEY, s, deadline, daily().stored(), () -> daily().recipients(), d, NOW);
    }

    @Test
    void shouldEndAWaitLeftBehindByAScheduleNoLongerHeld() {
      assertThat(recheck(armed(NINE, null, 0), NOW.plus(WAIT), Known.everything()))
          .isEqualTo(new Decision.EndWait());
    }

    @Test
    void shouldDoNothingWithoutReadingRecipientsWhileTheDeviceIsStillMissing() {
      Decision d =
          lifecycle.onRecheck(
              KEY,
              held(NOW),
              NOW.plus(WAIT),
              daily().stored(),
              () -> {
                throw new AssertionError("recipients read while the device is missing");
              },
              Known.nothing(),
              NOW);

      assertThat(d).isEqualTo(new Decision.Nothing());
    }

    @Test
    void shouldKeepWaitingWhileAContactIsStillMissing() {
      Decision d =
          lifecycle.onRecheck(
              KEY,
              held(NOW),
              NOW.plus(WAIT),
              daily().stored(),
              () -> List.of(CONTACT),
              Known.deviceOnly(),
              NOW);

      assertThat(d).isEqualTo(new Decision.Nothing());
    }

    @Test
    void shouldDecideAgainOnceTheDeviceArrived() {
      assertThat(recheck(held(NOW), NOW.plus(WAIT), Known.everything()))
          .isInstanceOf(Decision.Accept.class);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void shouldDecideAgainWhenTheWaitRanOutOrWasLost(boolean lost) {
      Decision d = recheck(held(NOW.minus(WAIT)), lost ? null : NOW, Known.nothing());

      assertThat(d)
          .isInstanceOfSatisfying(
              Decision.Reject.class,
              r -> assertThat(r.error().reason()).isEqualTo(ErrorReason.UNKNOWN_DEVICE));
    }
  }

  @Nested
  class Due {

    private final CompiledSchedule rule = compiled(DAILY);

    @ParameterizedTest
    @MethodSource("stale")
    void shouldIgnoreATimerTheScheduleNoLongerPointsAt(Standing s) {
      AtomicBoolean compiledAsked = new AtomicBoolean();

      Decision d =
          lifecycle.onDue(
              s,
              NINE,
              () -> {
                compiledAsked.set(true);
                return Optional.of(rule);
              },
              NINE);

      assertThat(d).isEqualTo(new Decision.Nothing());
      assertThat(compiledAsked).isFalse();
    }

    static Stream<Standing> stale() {
      return Stream.of(
          armed(NINE_NEXT_DAY, NINE, 1),
          new Standing(ScheduleStatus.INACTIVE, 3, null, null, 0, 1, null),
          new Standing(ScheduleStatus.FINISHED, 3, NINE, null, 0, 1, null));
    }

    @Test
    void shouldFireTheOccurrenceAndArmTheNext() {
      Instant late = NINE.plusSeconds(2);

      Decision d = lifecycle.onDue(armed(NINE, null, 0), NINE, () -> Optional.of(rule), late);

      assertThat(d)
          .isEqualTo(
              new Decision.Fire(
                  List.of(new Firing(NINE, 1, NINE_NEXT_DAY, false)),
                  Duration.ofSeconds(2),
                  0,
                  rule.catchUp(),
                  armed(NINE_NEXT_DAY, NINE, 1)));
    }

    @Test
    void shouldFinishAfterTheLastOccurrence() {
      RuleSpec once = RuleSpec.once(NINE.toString());

      Decision d =
          lifecycle.onDue(armed(NINE, null, 0), NINE, () -> Optional.of(compiled(once)), NINE);

      assertThat(d)
          .isInstanceOfSatisfying(
              Decision.Fire.class,
              f -> {
                assertThat(f.firings()).containsExactly(new Firing(NINE, 1, null, true));
                assertThat(f.after())
                    .isEqualTo(new Standing(ScheduleStatus.FINISHED, 3, null, NINE, 1, 1, null));
              });
    }

    @Test
    void shouldNeverFireAnOccurrenceAgain() {
      Decision d = lifecycle.onDue(armed(NINE, NINE, 1), NINE, () -> Optional.of(rule), NINE);

      assertThat(d)
          .isInstanceOfSatisfying(
              Decision.Fire.class,
              f -> {
                assertThat(f.firings()).isEmpty();
                assertThat(f.after()).isEqualTo(armed(NINE_NEXT_DAY, NINE, 1));
              });
    }

    @Test
    void shouldMarkInvalidWhenTheStoredRuleNoLongerCompiles() {
      Decision d = lifecycle.onDue(armed(NINE, null, 0), NINE, Optional::empty, NINE);

      assertThat(d)
          .isEqualTo(
              new Decision.StoredRuleBroken(
                  new Standing(ScheduleStatus.INVALID, 3, null, null, 0, 1, null)));
    }
  }

  @Nested
  class SetAside {

    @Test
    void shouldStopAndExplainWithTheKindFromTheKeyWhenNoDefinitionIsKnown() {
      Decision.SetAside d =
          lifecycle.setAside(KEY, armed(NINE, NINE, 1), null, "IllegalStateException", "fire", NOW);

      assertThat(d.skeleton()).isNull();
      assertThat(d.after())
          .isEqualTo(new Standing(ScheduleStatus.INVALID, 3, null, NINE, 1, 1, null));
      assertThat(d.error().reason()).isEqualTo(ErrorReason.UNPROCESSABLE);
      assertThat(d.error().kind()).isEqualTo(ScheduleKind.RECURRING);
      assertThat(d.reason()).contains("IllegalStateException at fire");
    }
  }

  @Nested
  class Effects {

    /** Records effect names in order. */
    private static final class Recording implements ScheduleEffects {
      final List<String> calls = new ArrayList<>();

      @Override
      public void stopEverything() {
        calls.add("stop");
      }

      @Override
      public void cancelTimer() {
        calls.add("cancelTimer");
      }

      @Override
      public void clearDeviceWait() {
        calls.add("clearWait");
      }

      @Override
      public void awaitDevice(Instant deadline) {
        calls.add("await");
      }

      @Override
      public void armTimer(Instant due) {
        calls.add("arm");
      }

      @Override
      public void writeRecipients(List<String> canonical) {
        calls.add("recipients");
      }

      @Override
      public void deleteRecipients() {
        calls.add("deleteRecipients");
      }

      @Override
      public void rememberRule(long generation, CompiledSchedule s) {
        calls.add("rule");
      }

      @Override
      public void publish(ScheduleError error) {
        calls.add("error");
      }

      @Override
      public void lateness(Duration late) {
        calls.add("late");
      }

      @Override
      public void fire(Firing firing) {
        calls.add("fire");
      }

      @Override
      public void save(Definition definition, Standing after) {
        calls.add("save");
      }

      @Override
      public void saveStanding(Standing after) {
        calls.add("saveStanding");
      }

      @Override
      public void note(Severity severity, String sentence, String details) {}
    }

    static Stream<Arguments> decisions() {
      ScheduleLifecycle l = new ScheduleLifecycle(100, WAIT);
      CompiledSchedule rule = compiled(DAILY);
      return Stream.of(
          Arguments.of(
              l.onChange(KEY, armed(NINE, null, 0), null, null, Known.everything(), NOW),
              List.of("stop", "deleteRecipients", "save")),
          Arguments.of(
              l.onChange(KEY, Standing.none(), null, daily(), Known.everything(), NOW),
              List.of("cancelTimer", "clearWait", "recipients", "rule", "arm", "save")),
          Arguments.of(
              l.onChange(KEY, Standing.none(), null, daily(), Known.nothing(), NOW),
              List.of("cancelTimer", "recipients", "save", "await")),
          Arguments.of(
              l.onChange(
                  KEY,
                  Standing.none(),
                  null,
                  change(List.of(), null, true, null, NOW),
                  Known.everything(),
                  NOW),
              List.of("stop", "error", "save")),
          Arguments.of(
              l.onDue(armed(NINE, null, 0), NINE, () -> Optional.of(rule), NINE),
              List.of("late", "fire", "arm", "saveStanding")));
    }

    @ParameterizedTest
    @MethodSource("decisions")
    void shouldApplyItsEffectsInOrder(Decision d, List<String> expected) {
      Recording effects = new Recording();

      d.applyTo(effects);

      assertThat(effects.calls).containsExactlyElementsOf(expected);
    }
  }
}
