package com.customercaregpt.backup.component;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The facts of a component stored whole in an incremental or differential backup (it has no
 * incremental form here): {@code "incremental": false} and the reason, so a restore needs this
 * backup alone. Nothing for a full backup.
 */
public final class WholeCopy {

    private static final Logger LOG = LoggerFactory.getLogger(WholeCopy.class);

    private WholeCopy() {
    }

    /** The facts to add; {@code warn}: say it on one WARN line (a copy bigger than the operator asked for). */
    public static Map<String, Object> facts(ComponentContext context, String component, String reason, boolean warn) {
        Map<String, Object> facts = new LinkedHashMap<>();
        if ("full".equals(context.backupType())) {
            return facts;
        }
        facts.put("incremental", false);
        facts.put("reason", reason);
        if (warn) {
            LOG.warn("{}: the {} backup stores a full copy: {}", component, context.backupType(), reason);
        }
        return facts;
    }
}
