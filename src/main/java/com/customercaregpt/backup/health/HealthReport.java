package com.customercaregpt.backup.health;

import java.util.List;

/** The state of the backup system and of what it backs up; status is the worst of the checks. */
public record HealthReport(String status, List<Check> checks) {

    public static final String OK = "ok";
    public static final String WARN = "warn";
    public static final String FAIL = "fail";

    public record Check(String name, String status, String detail) {
    }
}
