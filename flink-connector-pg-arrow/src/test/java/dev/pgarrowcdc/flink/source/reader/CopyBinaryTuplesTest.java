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
package dev.pgarrowcdc.flink.source.reader;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The COPY binary stream of the snapshot function, however PostgreSQL cuts it into messages. */
class CopyBinaryTuplesTest {

    private static final byte[] HEADER = {
        'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0
    };

    private static byte[] tuple(String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(6 + v.length)
                .putShort((short) 1)
                .putInt(v.length)
                .put(v)
                .array();
    }

    private static final byte[] TRAILER = {(byte) 0xFF, (byte) 0xFF};

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static List<String> read(List<byte[]> messages) throws SQLException {
        CopyBinaryTuples tuples = new CopyBinaryTuples("test copy");
        List<String> values = new ArrayList<>();
        for (byte[] m : messages) {
            tuples.feed(
                    m,
                    v -> {
                        byte[] b = new byte[v.remaining()];
                        v.get(b);
                        values.add(new String(b, StandardCharsets.UTF_8));
                    });
        }
        tuples.finish();
        return values;
    }

    @Test
    void postgresqlsMessagesAndEveryOtherCutGiveTheSameValues() throws SQLException {
        // As PostgreSQL sends it: the header with the first tuple, one tuple a message, trailer
        List<byte[]> server =
                Arrays.asList(concat(HEADER, tuple("one")), tuple(""), tuple("three"), TRAILER);
        assertThat(read(server)).containsExactly("one", "", "three");

        byte[] all = concat(server.toArray(new byte[0][]));
        for (int cut = 0; cut <= all.length; cut++) {
            for (int second = cut; second <= all.length; second += 7) {
                List<byte[]> pieces =
                        Arrays.asList(
                                Arrays.copyOfRange(all, 0, cut),
                                Arrays.copyOfRange(all, cut, second),
                                Arrays.copyOfRange(all, second, all.length));
                assertThat(read(pieces))
                        .as("cut at %d and %d", cut, second)
                        .containsExactly("one", "", "three");
            }
        }
    }

    @Test
    void anUnexpectedStreamIsRefusedNamingWhatWasCopied() {
        byte[] badSignature = HEADER.clone();
        badSignature[0] = 'X';
        assertThatThrownBy(() -> read(List.of(concat(badSignature, TRAILER))))
                .hasMessageContaining("the COPY of the test copy is not as expected")
                .hasMessageContaining("signature");
        byte[] twoFields = ByteBuffer.allocate(2).putShort((short) 2).array();
        assertThatThrownBy(() -> read(List.of(concat(HEADER, twoFields))))
                .hasMessageContaining("expected tuples of 1 field but found 2");
        byte[] nullValue = ByteBuffer.allocate(6).putShort((short) 1).putInt(-1).array();
        assertThatThrownBy(() -> read(List.of(concat(HEADER, nullValue))))
                .hasMessageContaining("found NULL");
        assertThatThrownBy(() -> read(List.of(concat(HEADER, tuple("x")))))
                .hasMessageContaining("without its trailer");
        byte[] cut = concat(HEADER, tuple("xyz"));
        assertThatThrownBy(() -> read(List.of(Arrays.copyOf(cut, cut.length - 1))))
                .hasMessageContaining("inside a tuple");
        assertThatThrownBy(() -> read(List.of(concat(HEADER, TRAILER, tuple("late")))))
                .hasMessageContaining("after the trailer");
        assertThatThrownBy(() -> read(List.of())).hasMessageContaining("without its header");
    }
}
