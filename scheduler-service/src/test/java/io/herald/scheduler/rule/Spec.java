package io.herald.scheduler.rule;

import io.herald.contracts.event.RuleSpec;
import java.time.Instant;
import java.util.List;

/** A fluent builder for {@link RuleSpec} in tests; every column starts null like a fresh row. */
final class Spec {
  static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");

  private String frequency;
  private Integer intervalValue;
  private String intervalUnit;
  private String cron;
  private String time;
  private List<Integer> days;
  private Integer dayOfMonth;
  private String zone;
  private String start;
  private String end;
  private Integer max;
  private String catchUp;
  private Integer grace;
  private String scheduledAt;

  static Spec daily(String time) {
    return new Spec().frequency("daily").time(time);
  }

  static Spec weekly(String time, Integer... days) {
    return new Spec().frequency("weekly").time(time).days(List.of(days));
  }

  static Spec monthly(String time, int dayOfMonth) {
    return new Spec().frequency("monthly").time(time).dayOfMonth(dayOfMonth);
  }

  static Spec cron(String expression) {
    return new Spec().frequency("custom").cronExpression(expression);
  }

  static Spec every(int value, String unit) {
    return new Spec().frequency("custom").interval(value).unit(unit);
  }

  static Spec once(String scheduledAt) {
    return new Spec().frequency("once").scheduledAt(scheduledAt);
  }

  Spec frequency(String v) {
    frequency = v;
    return this;
  }

  Spec interval(Integer v) {
    intervalValue = v;
    return this;
  }

  Spec unit(String v) {
    intervalUnit = v;
    return this;
  }

  Spec cronExpression(String v) {
    cron = v;
    return this;
  }

  Spec time(String v) {
    time = v;
    return this;
  }

  Spec days(List<Integer> v) {
    days = v;
    return this;
  }

  Spec dayOfMonth(Integer v) {
    dayOfMonth = v;
    return this;
  }

  Spec zone(String v) {
    zone = v;
    return this;
  }

  Spec start(String v) {
    start = v;
    return this;
  }

  Spec end(String v) {
    end = v;
    return this;
  }

  Spec max(Integer v) {
    max = v;
    return this;
  }

  Spec catchUp(String v) {
    catchUp = v;
    return this;
  }

  Spec grace(Integer v) {
    grace = v;
    return this;
  }

  Spec scheduledAt(String v) {
    scheduledAt = v;
    return this;
  }

  RuleSpec toSpec() {
    return new RuleSpec(
        frequency,
        intervalValue,
        intervalUnit,
        cron,
        time,
        days,
        dayOfMonth,
        zone,
        start,
        end,
        max,
        catchUp,
        grace,
        scheduledAt);
  }

  Compilation compile() {
    return RuleCompiler.compile(toSpec(), CREATED);
  }

  /** Compiles and fails the test with the reasons when the rule is invalid. */
  CompiledSchedule schedule() {
    Compilation compilation = compile();
    if (compilation instanceof Compilation.Valid valid) {
      return valid.schedule();
    }
    throw new AssertionError("expected a valid rule, got " + compilation);
  }

  /** Compiles and returns the messages; fails the test when the rule is valid. */
  List<String> problems() {
    Compilation compilation = compile();
    if (compilation instanceof Compilation.Invalid invalid) {
      return invalid.problems().stream().map(RuleProblem::message).toList();
    }
    throw new AssertionError("expected an invalid rule, got " + compilation);
  }
}
