/*
 * Copyright 2026 the pg-arrow-cdc authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package dev.pgarrowcdc.flink.source.enumerator;

import dev.pgarrowcdc.flink.source.split.TableId;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code table-name} patterns: a comma-separated list of entries, each either
 *
 * <ul>
 *   <li>{@code [database.]schema.table}, each part a glob ({@code *} any characters, {@code ?} one)
 *       that follows SQL identifier rules: unquoted parts are folded to lower case, a part in
 *       double quotes is matched literally and case-sensitively ({@code ""} for a quote), so {@code
 *       "My.Schema"."Order*"} names exactly that table; or
 *   <li>{@code regex:<java regex>}, matched against the whole unquoted {@code schema.table}.
 * </ul>
 *
 * A table is captured when any entry matches it. The optional database part must name the
 * configured database (a replication slot only sees its own database).
 */
public final class TablePatterns implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final String REGEX_PREFIX = "regex:";

    private final String source;
    private final List<Entry> patterns;

    private TablePatterns(String source, List<Entry> patterns) {
        this.source = source;
        this.patterns = patterns;
    }

    /**
     * One entry: either a schema and a table pattern, each matched against its own name (so a dot
     * inside a name can never make one table's name look like another's), or a regex on the whole
     * {@code schema.table}.
     */
    private static final class Entry implements Serializable {
        private static final long serialVersionUID = 1L;

        final Pattern schema;
        final Pattern table;
        final Pattern qualified;

        Entry(Pattern schema, Pattern table, Pattern qualified) {
            this.schema = schema;
            this.table = table;
            this.qualified = qualified;
        }

        boolean matches(TableId t) {
            if (qualified != null) {
                return qualified.matcher(t.schema() + "." + t.table()).matches();
            }
            return schema.matcher(t.schema()).matches() && table.matcher(t.table()).matches();
        }
    }

    /**
     * postgres-cdc's form: {@code schema-name} and {@code table-name} as Java regular expressions,
     * each matching a whole (case-sensitive) name.
     *
     * @throws IllegalArgumentException naming the option whose expression is invalid
     */
    public static TablePatterns regexPair(String schemaRegex, String tableRegex) {
        return new TablePatterns(
                "schema-name=" + schemaRegex + ", table-name=" + tableRegex,
                Collections.singletonList(
                        new Entry(
                                compileRegex("schema-name", schemaRegex),
                                compileRegex("table-name", tableRegex),
                                null)));
    }

    private static Pattern compileRegex(String option, String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                    "'"
                            + option
                            + "' = '"
                            + regex
                            + "' is not a valid"
                            + " regular expression ("
                            + e.getDescription()
                            + " near index "
                            + e.getIndex()
                            + "): with 'schema-name' set, 'schema-name' and 'table-name' are Java regular"
                            + " expressions, e.g. public and orders_[0-9]+");
        }
    }

    /**
     * Parses {@code table-name}.
     *
     * @throws IllegalArgumentException naming the entry and the rule it breaks
     */
    public static TablePatterns parse(String tableName, String database) {
        if (tableName == null || tableName.trim().isEmpty()) {
            throw new IllegalArgumentException(
                    "'table-name' is empty: list the tables to capture, e.g. public.orders or public.*");
        }
        List<Entry> patterns = new ArrayList<>();
        for (String raw : splitTopLevel(tableName)) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                throw new IllegalArgumentException(
                        "'table-name' = '"
                                + tableName
                                + "' has an empty entry: remove the extra comma");
            }
            patterns.add(compile(entry, database));
        }
        return new TablePatterns(tableName, Collections.unmodifiableList(patterns));
    }

    public boolean matches(TableId table) {
        for (Entry p : patterns) {
            if (p.matches(table)) {
                return true;
            }
        }
        return false;
    }

    /** The patterns as the user wrote them. */
    public String source() {
        return source;
    }

    private static Entry compile(String entry, String database) {
        if (entry.startsWith(REGEX_PREFIX)) {
            String regex = entry.substring(REGEX_PREFIX.length());
            try {
                return new Entry(null, null, Pattern.compile(regex));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(
                        "'table-name' entry '"
                                + entry
                                + "' is not a valid regular expression ("
                                + e.getDescription()
                                + " near index "
                                + e.getIndex()
                                + "): fix the expression, or drop 'regex:' to use a glob");
            }
        }
        List<String> parts = splitParts(entry);
        if (parts.size() < 2 || parts.size() > 3) {
            throw new IllegalArgumentException(
                    "'table-name' entry '"
                            + entry
                            + "' must be schema.table or database.schema.table"
                            + " (e.g. public.orders, *.orders, mydb.public.*); write a name that"
                            + " contains a dot in double quotes");
        }
        if (parts.size() == 3) {
            String db = parts.get(0);
            boolean matchesDb =
                    db.startsWith("\"")
                            ? unquote(db, entry).equals(database)
                            : globToRegex(db.toLowerCase(Locale.ROOT))
                                    .matcher(database == null ? "" : database)
                                    .matches();
            if (!matchesDb) {
                throw new IllegalArgumentException(
                        "'table-name' entry '"
                                + entry
                                + "' names database "
                                + db
                                + " but"
                                + " 'database-name' is '"
                                + database
                                + "': a source reads one"
                                + " database; drop the database part or fix it");
            }
            parts = parts.subList(1, 3);
        }
        return new Entry(
                Pattern.compile(partRegex(parts.get(0), entry)),
                Pattern.compile(partRegex(parts.get(1), entry)),
                null);
    }

    private static String partRegex(String part, String entry) {
        if (part.isEmpty()) {
            throw new IllegalArgumentException(
                    "'table-name' entry '"
                            + entry
                            + "' has an empty name part: write schema.table");
        }
        if (part.startsWith("\"")) {
            return Pattern.quote(unquote(part, entry));
        }
        return globToRegex(part.toLowerCase(Locale.ROOT)).pattern();
    }

    private static Pattern globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    private static String unquote(String part, String entry) {
        if (part.length() < 2 || !part.endsWith("\"")) {
            throw new IllegalArgumentException(
                    "'table-name' entry '"
                            + entry
                            + "' has an unterminated quoted name "
                            + part
                            + ": close it with \" (write \"\" for a quote inside a name)");
        }
        return part.substring(1, part.length() - 1).replace("\"\"", "\"");
    }

    /** Splits on '.' outside double quotes. */
    private static List<String> splitParts(String entry) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < entry.length(); i++) {
            char c = entry.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                cur.append(c);
            } else if (c == '.' && !quoted) {
                parts.add(cur.toString().trim());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException(
                    "'table-name' entry '"
                            + entry
                            + "' has an unterminated quoted name: close it"
                            + " with \" (write \"\" for a quote inside a name)");
        }
        parts.add(cur.toString().trim());
        return parts;
    }

    /**
     * Splits on commas outside double quotes and, for regex entries, outside (), [] and {} so that
     * {@code regex:t_[0-9]{1,3}} stays one entry.
     */
    static List<String> splitTopLevel(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        int depth = 0;
        boolean escaped = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (escaped) {
                escaped = false;
            } else if (c == '\\' && !quoted) {
                escaped = true;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && (c == '(' || c == '[' || c == '{')) {
                depth++;
            } else if (!quoted && (c == ')' || c == ']' || c == '}') && depth > 0) {
                depth--;
            } else if (c == ',' && !quoted && depth == 0) {
                out.add(cur.toString());
                cur.setLength(0);
                continue;
            }
            cur.append(c);
        }
        out.add(cur.toString());
        return out;
    }

    @Override
    public String toString() {
        return source;
    }
}
