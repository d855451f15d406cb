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

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TablePatternsTest {

    private static boolean matches(String patterns, String schema, String table) {
        return TablePatterns.parse(patterns, "shop").matches(new TableId(schema, table));
    }

    @Test
    void aDotInsideANameNeverMakesOneTableLookLikeAnother() {
        // schema "a", table "b.c" versus schema "a.b", table "c": the same text "a.b.c"
        assertThat(matches("\"a\".\"b.c\"", "a", "b.c")).isTrue();
        assertThat(matches("\"a\".\"b.c\"", "a.b", "c")).isFalse();
        assertThat(matches("*.c", "a.b", "c")).isTrue();
        assertThat(matches("*.c", "a", "b.c")).isFalse();
        TablePatterns pair = TablePatterns.regexPair("a", "b\\.c");
        assertThat(pair.matches(new TableId("a", "b.c"))).isTrue();
        assertThat(pair.matches(new TableId("a.b", "c"))).isFalse();
    }

    @Test
    void quotedNamesKeepQuotesCommasBackslashesAndSpaces() {
        String schema = "Odd \"Sch\", em.a'\\";
        String table = "Tab,le.\"x\" Y";
        String pattern =
                TableId.quoteIdentifier(schema)
                        + "."
                        + TableId.quoteIdentifier(table)
                        + ",public.other";
        assertThat(matches(pattern, schema, table)).isTrue();
        assertThat(matches(pattern, "public", "other")).isTrue();
        assertThat(matches(pattern, schema, "Tab")).isFalse();
    }

    @Test
    void aSchemaWildcardMatchesEveryTableOfThatSchemaOnly() {
        assertThat(matches("public.*", "public", "orders")).isTrue();
        assertThat(matches("public.*", "sales", "orders")).isFalse();
    }

    @Test
    void aPrefixGlobMatchesOnlyNamesWithThatPrefix() {
        assertThat(matches("public.user_*", "public", "user_accounts")).isTrue();
        assertThat(matches("public.user_*", "public", "users")).isFalse();
        assertThat(matches("public.t?", "public", "t1")).isTrue();
        assertThat(matches("public.t?", "public", "t12")).isFalse();
    }

    @Test
    void aTableInAnySchema() {
        assertThat(matches("*.orders", "sales", "orders")).isTrue();
        assertThat(matches("*.orders", "sales", "orders_old")).isFalse();
    }

    @Test
    void theDatabasePartMustBeTheConfiguredDatabase() {
        assertThat(matches("shop.public.orders", "public", "orders")).isTrue();
        assertThat(matches("sh*.public.orders", "public", "orders")).isTrue();
        assertThatThrownBy(() -> TablePatterns.parse("other.public.orders", "shop"))
                .hasMessageContaining("names database other but 'database-name' is 'shop'");
    }

    @Test
    void unquotedNamesFoldToLowerCaseAndQuotedNamesMatchExactly() {
        assertThat(matches("Public.Orders", "public", "orders")).isTrue();
        assertThat(matches("Public.Orders", "public", "Orders")).isFalse();
        assertThat(matches("public.\"Orders\"", "public", "Orders")).isTrue();
        assertThat(matches("\"my.schema\".\"a*b\"", "my.schema", "a*b")).isTrue();
        assertThat(matches("\"my.schema\".\"a*b\"", "my.schema", "axb")).isFalse();
        assertThat(matches("public.\"say \"\"hi\"\"\"", "public", "say \"hi\"")).isTrue();
    }

    @Test
    void dotsAndRegexCharactersInAGlobAreLiteral() {
        assertThat(matches("public.a+b", "public", "a+b")).isTrue();
        assertThat(matches("public.a+b", "public", "aab")).isFalse();
    }

    @Test
    void aRegexEntryMatchesTheWholeQualifiedName() {
        assertThat(matches("regex:public\\.t_[0-9]{1,3}", "public", "t_12")).isTrue();
        assertThat(matches("regex:public\\.t_[0-9]{1,3}", "public", "t_1234")).isFalse();
        assertThat(matches("regex:public\\.t_[0-9]{1,3}", "other", "t_12")).isFalse();
    }

    @Test
    void entriesAreSeparatedByCommasOutsideQuotesAndRegexGroups() {
        assertThat(TablePatterns.splitTopLevel("public.a, regex:s\\.t{1,2}, \"x,y\".z"))
                .containsExactly("public.a", " regex:s\\.t{1,2}", " \"x,y\".z");
        assertThat(matches("public.a, sales.*", "sales", "b")).isTrue();
        assertThat(matches("public.a, \"x,y\".z", "x,y", "z")).isTrue();
    }

    @Test
    void malformedEntriesAreRejectedNamingTheEntryAndTheFix() {
        assertThatThrownBy(() -> TablePatterns.parse("orders", "shop"))
                .hasMessage(
                        "'table-name' entry 'orders' must be schema.table or"
                                + " database.schema.table (e.g. public.orders, *.orders, mydb.public.*);"
                                + " write a name that contains a dot in double quotes");
        assertThatThrownBy(() -> TablePatterns.parse("public.a,,public.b", "shop"))
                .hasMessageContaining("has an empty entry: remove the extra comma");
        assertThatThrownBy(() -> TablePatterns.parse("public.\"open", "shop"))
                .hasMessageContaining("unterminated quoted name");
        assertThatThrownBy(() -> TablePatterns.parse("regex:public\\.(", "shop"))
                .hasMessageContaining("is not a valid regular expression");
        assertThatThrownBy(() -> TablePatterns.parse(" ", "shop"))
                .hasMessageContaining("'table-name' is empty");
    }
}
