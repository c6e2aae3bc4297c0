package com.customercaregpt.backup.pipeline;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for work handed to another thread, with the failure it raised there. */
public final class Tasks {

    private Tasks() {
    }

    /**
     * The task's result, or the exception it threw (an IOException or unchecked one as it was, so
     * callers report the original cause). {@code doing} names the work for an interruption.
     */
    public static <T> T await(Future<T> task, String doing) throws IOException {
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + doing, e);
        }
    }
}
