package dev.pgarrowcdc.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerChecksTest {

    @Test
    void thePluginIsFoundInTheListWhateverTheSpacingAndQuoting() {
        assertThat(ServerChecks.listsPlugin("pgoutput, test_decoding, wal2arrow")).isTrue();
        assertThat(ServerChecks.listsPlugin("wal2arrow")).isTrue();
        assertThat(ServerChecks.listsPlugin("\"wal2arrow\",pgoutput")).isTrue();
        assertThat(ServerChecks.listsPlugin("pgoutput, test_decoding")).isFalse();
        assertThat(ServerChecks.listsPlugin("wal2arrow_old")).isFalse();
        assertThat(ServerChecks.listsPlugin("")).isFalse();
    }
}
