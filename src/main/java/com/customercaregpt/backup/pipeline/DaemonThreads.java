package com.customercaregpt.backup.pipeline;

import java.util.concurrent.ThreadFactory;

/** Threads that never keep the JVM alive: a command exits when its work is done, whatever helpers still wait. */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    /** A factory of daemon threads, each called {@code name} (as it appears in thread dumps and /proc). */
    public static ThreadFactory named(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
