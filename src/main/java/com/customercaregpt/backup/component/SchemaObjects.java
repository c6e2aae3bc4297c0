package com.customercaregpt.backup.component;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The schema objects of a database's user schemas, by kind, each name qualified by its schema
 * (and by its table for constraints and triggers), quoted as {@code quote_ident} does: the fact
 * {@code schema_objects} a backup records and a restore's validation looks for.
 */
public final class SchemaObjects {

    /** The fact's name. */
    public static final String FACT = "schema_objects";

    private static final String USER_SCHEMA = "n.nspname NOT IN ('pg_catalog', 'information_schema') "
            + "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'";
    private static final String RELATION = "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), "
            + "quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c "
            + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " + USER_SCHEMA + " AND c.relkind IN ";
    /** Kind to a query of (name, owning table or the object itself). */
    private static final Map<String, String> QUERIES = new LinkedHashMap<>();

    static {
        QUERIES.put("tables", RELATION + "('r', 'p')");
        QUERIES.put("indexes", "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), "
                + "quote_ident(tn.nspname) || '.' || quote_ident(t.relname) FROM pg_index i "
                + "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace tn ON tn.oid = t.relnamespace WHERE " + USER_SCHEMA);
        QUERIES.put("constraints", "SELECT quote_ident(n.nspname) || '.' || quote_ident(t.relname) || '.' "
                + "|| quote_ident(k.conname), quote_ident(n.nspname) || '.' || quote_ident(t.relname) FROM pg_constraint k "
                + "JOIN pg_class t ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace WHERE " + USER_SCHEMA);
        QUERIES.put("views", RELATION + "('v')");
        QUERIES.put("materialized_views", RELATION + "('m')");
        QUERIES.put("functions", "SELECT quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' "
                + "|| pg_get_function_identity_arguments(p.oid) || ')', '' FROM pg_proc p "
                + "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.prokind IN ('f', 'p') AND " + USER_SCHEMA);
        QUERIES.put("sequences", RELATION + "('S')");
        QUERIES.put("triggers", "SELECT quote_ident(n.nspname) || '.' || quote_ident(t.relname) || '.' "
                + "|| quote_ident(g.tgname), quote_ident(n.nspname) || '.' || quote_ident(t.relname) FROM pg_trigger g "
                + "JOIN pg_class t ON t.oid = g.tgrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
                + "WHERE NOT g.tgisinternal AND " + USER_SCHEMA);
    }

    private SchemaObjects() {
    }

    /** Every kind's sorted names. */
    public static Map<String, List<String>> read(Connection connection) throws SQLException {
        return read(connection, table -> true);
    }

    /** As {@link #read(Connection)}, leaving out tables not {@code kept} and the objects on them (a dump that excludes them). */
    public static Map<String, List<String>> read(Connection connection, Predicate<String> kept) throws SQLException {
        Map<String, List<String>> objects = new LinkedHashMap<>();
        try (Statement st = connection.createStatement()) {
            for (Map.Entry<String, String> kind : QUERIES.entrySet()) {
                TreeSet<String> names = new TreeSet<>();
                try (ResultSet rs = st.executeQuery(kind.getValue())) {
                    while (rs.next()) {
                        String table = rs.getString(2);
                        if (table.isEmpty() || kept.test(table)) {
                            names.add(rs.getString(1));
                        }
                    }
                }
                objects.put(kind.getKey(), new ArrayList<>(names));
            }
        }
        return objects;
    }

    /**
     * The objects of {@code expected} (a backup's fact) that {@code actual} lacks, as "index public.x"
     * (kind without its plural), in the fact's order.
     */
    public static List<String> missing(Map<?, ?> expected, Map<String, List<String>> actual) {
        List<String> missing = new ArrayList<>();
        expected.forEach((kind, names) -> {
            List<String> present = actual.getOrDefault(String.valueOf(kind), List.of());
            TreeSet<String> found = new TreeSet<>(present);
            for (Object name : (List<?>) names) {
                if (!found.contains(String.valueOf(name))) {
                    missing.add(singular(String.valueOf(kind)) + " " + name);
                }
            }
        });
        return missing;
    }

    private static String singular(String kind) {
        return switch (kind) {
            case "indexes" -> "index";
            case "materialized_views" -> "materialized view";
            default -> kind.substring(0, kind.length() - 1);
        };
    }
}
