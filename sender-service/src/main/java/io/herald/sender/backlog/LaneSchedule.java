package io.herald.sender.backlog;

/** One schedule's commands in one lane: (partition, device, schedule). */
public record LaneSchedule(int partition, String deviceId, String scheduleKey) {}
