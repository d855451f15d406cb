package dev.pgarrowcdc.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;

import org.junit.jupiter.api.Test;

import dev.pgarrowcdc.flink.testutils.PostgresCluster;

/** The up-front checks against servers set up wrongly on purpose. */
class ServerChecksITCase {

    @Test
    void walLevelReplicaIsRefusedNamingTheSettingAndTheFix() throws Exception {
        try (PostgresCluster pg = PostgresCluster.builder().setting("wal_level", "replica").start();
                Connection c = pg.connect("postgres")) {
            assertThatThrownBy(() -> ServerChecks.check(c))
                    .hasMessage("PostgreSQL setting wal_level is 'replica' but change data capture"
                            + " needs 'logical': set wal_level = logical in postgresql.conf (or"
                            + " ALTER SYSTEM SET wal_level = logical) and restart the server");
        }
    }

    @Test
    void outputPluginLibrariesWithoutWal2ArrowIsRefusedWithTheStatementToRun() throws Exception {
        try (PostgresCluster pg = PostgresCluster.builder()
                        .setting("output_plugin_libraries", "'pgoutput, test_decoding'")
                        .start();
                Connection c = pg.connect("postgres")) {
            assumeTrue(pg.setting("output_plugin_libraries") != null,
                    "this PostgreSQL build has no output_plugin_libraries setting");
            assertThatThrownBy(() -> ServerChecks.check(c))
                    .hasMessageContaining("output_plugin_libraries = 'pgoutput, test_decoding' does"
                            + " not list wal2arrow")
                    .hasMessageContaining("ALTER SYSTEM SET output_plugin_libraries = pgoutput,"
                            + " test_decoding, wal2arrow; (the list unquoted) and SELECT pg_reload_conf();");
        }
    }
}
