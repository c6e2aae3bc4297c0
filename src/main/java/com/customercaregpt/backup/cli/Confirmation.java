package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.backup.UsageError;

import java.io.Console;

/** Asks a person before a command destroys or replaces data; without a terminal it needs the flag. */
final class Confirmation {

    private Confirmation() {
    }

    /**
     * True when the person typed y. Without a terminal: a usage error telling which flag skips the
     * question, so scripts never hang on a prompt nobody sees.
     */
    static boolean ask(String question, String refusal, String flag) {
        Console console = System.console();
        if (console == null) {
            throw new UsageError(refusal + " without confirmation: no terminal; add " + flag);
        }
        String answer = console.readLine("%s [y/N] ", question);
        return answer != null && answer.trim().equalsIgnoreCase("y");
    }
}
