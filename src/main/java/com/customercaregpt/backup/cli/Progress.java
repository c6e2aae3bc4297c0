package com.customercaregpt.backup.cli;

import java.util.function.Supplier;

/** A progress line redrawn on stderr once a second, only when a person is watching a terminal. */
final class Progress implements AutoCloseable {

    private final Thread ticker;
    private volatile boolean running = true;

    private Progress(Supplier<String> line) {
        ticker = new Thread(() -> {
            int width = 0;
            while (running) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    break;
                }
                String text = line.get();
                if (running && text != null) {
                    String padded = text.length() < width ? text + " ".repeat(width - text.length()) : text;
                    System.err.print("\r" + padded);
                    width = text.length();
                }
            }
            if (width > 0) {
                System.err.print("\r" + " ".repeat(width) + "\r");
            }
        }, "progress");
        ticker.setDaemon(true);
    }

    static Progress onTerminal(Supplier<String> line) {
        Progress progress = new Progress(line);
        if (System.console() != null) {
            progress.ticker.start();
        }
        return progress;
    }

    @Override
    public void close() {
        running = false;
        ticker.interrupt();
        try {
            ticker.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
