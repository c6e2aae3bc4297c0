package com.customercaregpt.backup.component;

/** Where an isolated restore (one that touches nothing live) can put a component. */
public enum RestoreTarget {
    /** A database: --target-database restores it under a new name beside the live one. */
    DATABASE("--target-database"),
    /** Files: --target-dir restores them into <dir>/<component>. */
    FOLDER("--target-dir"),
    /** A running server's data: restored in place only. */
    SERVER(null);

    private final String option;

    RestoreTarget(String option) {
        this.option = option;
    }

    /** The restore option that applies to this kind, or null when none does. */
    public String option() {
        return option;
    }
}
