package com.customercaregpt.backup.api;

import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.fixtures.TestStack;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the API token comes from, and what happens without one. */
class ApiGuardTest {

    private static Exchange request(String authorization) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        if (authorization != null) {
            exchange.getMessage().setHeader("Authorization", authorization);
        }
        return exchange;
    }

    @Test
    void theTokenCanComeFromAFileAndOnlyItsFirstLineCounts() throws Exception {
        Path file = Files.createTempFile("api-", ".token");
        try {
            Files.writeString(file, "from-the-file-0123456789\nnot this line\n");
            ApiGuard guard = ApiGuard.from(Settings.of(TestStack.projectHome(), Map.of("backup.api.token-file", file.toString())));
            assertDoesNotThrow(() -> guard.check(request("Bearer from-the-file-0123456789")));
            assertDoesNotThrow(() -> guard.check(request("bearer from-the-file-0123456789")), "the scheme is case-insensitive");
            assertThrows(ApiProblem.Unauthorized.class, () -> guard.check(request("Bearer not this line")));
            assertThrows(ApiProblem.Unauthorized.class, () -> guard.check(request("Basic from-the-file-0123456789")));
            assertThrows(ApiProblem.Unauthorized.class, () -> guard.check(request(null)));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void noTokenRefusesUnlessAnonymousIsAllowedExplicitly() {
        Settings.SettingsException refused = assertThrows(Settings.SettingsException.class,
                () -> ApiGuard.from(Settings.of(TestStack.projectHome(), Map.of())));
        assertTrue(refused.getMessage().contains("backup.api.allow-anonymous=true"), refused.getMessage());
        ApiGuard open = ApiGuard.from(Settings.of(TestStack.projectHome(), Map.of("backup.api.allow-anonymous", "true")));
        assertDoesNotThrow(() -> open.check(request(null)));
        Settings.SettingsException unreadable = assertThrows(Settings.SettingsException.class, () -> ApiGuard.from(
                Settings.of(TestStack.projectHome(), Map.of("backup.api.token-file", "/nonexistent/api.token"))));
        assertTrue(unreadable.getMessage().contains("/nonexistent/api.token"), unreadable.getMessage());
    }
}
