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
package dev.pgarrowcdc.flink.source.reader.frame;

import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Feeds hostile variants of real wal2arrow messages to the production decoder, the way the
 * connector uses it (decode every frame of a message, convert and read every row, close), and fails
 * on anything the decoder must not do:
 *
 * <ul>
 *   <li>throw anything but {@link FrameFormatException} (an Arrow or flatbuffers exception that
 *       escaped, an {@code Error});
 *   <li>refuse a frame only after trying to allocate what a length field claims (an Arrow {@link
 *       OutOfMemoryException} from the capped allocator anywhere in the cause chain);
 *   <li>leak Arrow memory (the allocator must be empty once the frames are closed);
 *   <li>not return (each call runs on a worker thread; one that has not returned after {@link
 *       #HANG_SECONDS} is reported as a hang: a detector with a generous bound, not a timing
 *       assertion).
 * </ul>
 *
 * <p>A frame that still decodes after a mutation is read completely: every row converted, every
 * field read, so an inconsistency the checks let through shows up as an exception here.
 *
 * <p>Runs: {@code -Dfuzz.seconds=N} (random phase of each fuzz test, default 4) and {@code
 * -Dfuzz.seed=S} (default fixed, so CI runs the same cases). A failure names the seed, the case and
 * the input in hex.
 */
public final class FrameFuzzer implements AutoCloseable {

    public static final long SEED = Long.getLong("fuzz.seed", 0x5EED_2026_1204L);
    public static final long SECONDS = Long.getLong("fuzz.seconds", 4);

    /** A call that has not returned after this long is a hang. */
    static final long HANG_SECONDS = 120;

    /** What the decoder may allocate for one input (the inputs are kilobytes). */
    private static final long ALLOCATION_LIMIT = 64L << 20;

    private static final long[] EXTREME_32 = {
        0, 1, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 0xFFFF_FFF8L, 0x10, 0x1000_0000L
    };
    private static final long[] EXTREME_64 = {
        0,
        1,
        0x7FFF_FFFFL,
        0x8000_0000L,
        0xFFFF_FFFFL,
        0x1_0000_0000L,
        Long.MAX_VALUE,
        Long.MIN_VALUE,
        -1L,
        -8L
    };

    /** Fewer values for body words: there are many more of them. */
    private static final long[] BODY_32 = {
        0, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 0xFFFF_FFF8L
    };

    private static final long[] BODY_64 = {Long.MAX_VALUE, -1L, 0x8000_0000L};

    private final ExecutorService worker =
            Executors.newSingleThreadExecutor(
                    r -> {
                        Thread t = new Thread(r, "frame-fuzz");
                        t.setDaemon(true);
                        return t;
                    });
    private long cases;
    private long decoded;
    private long refused;

    public long cases() {
        return cases;
    }

    public long decoded() {
        return decoded;
    }

    public long refused() {
        return refused;
    }

    /** Decodes and consumes one input; fails the test as described in the class comment. */
    public void check(byte[] input, String what) {
        cases++;
        Future<Boolean> result = worker.submit(() -> decodeFully(input));
        try {
            if (result.get(HANG_SECONDS, TimeUnit.SECONDS)) {
                decoded++;
            } else {
                refused++;
            }
        } catch (TimeoutException e) {
            result.cancel(true);
            throw new AssertionError(
                    "the decoder did not return within "
                            + HANG_SECONDS
                            + " s (a hang) on "
                            + what
                            + "; input "
                            + save(input, what));
        } catch (ExecutionException e) {
            throw new AssertionError(
                    "on "
                            + what
                            + " the decoder failed with "
                            + e.getCause()
                            + " instead of a FrameFormatException; input "
                            + save(input, what),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** True when the message decoded, false when it was refused with a FrameFormatException. */
    private static boolean decodeFully(byte[] input) {
        try (BufferAllocator allocator = new RootAllocator(ALLOCATION_LIMIT);
                WalArrowFrameDecoder decoder = new WalArrowFrameDecoder(allocator, "slot 'fuzz'")) {
            List<Frame> frames;
            try {
                frames = decoder.decodeAll(ByteBuffer.wrap(input));
            } catch (FrameFormatException e) {
                requireNoAllocationFailure(e);
                return false;
            }
            try {
                for (Frame f : frames) {
                    consume(f);
                }
            } catch (FrameFormatException e) {
                requireNoAllocationFailure(e);
                return false;
            } finally {
                frames.forEach(Frame::close);
            }
            return true;
        }
    }

    private static void requireNoAllocationFailure(FrameFormatException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryException) {
                throw new IllegalStateException(
                        "refused only after trying to allocate what a"
                                + " length field claims: "
                                + e.getMessage(),
                        e);
            }
        }
        if (e.getMessage() == null || !e.getMessage().contains("slot 'fuzz'")) {
            throw new IllegalStateException("the error does not name the slot: " + e, e);
        }
    }

    /** Reads a frame the way the connector does, and then every value. */
    private static void consume(Frame frame) {
        frame.toString();
        if (!(frame instanceof RowsFrame)) {
            return;
        }
        RowsFrame rows = (RowsFrame) frame;
        RelationSchema schema = rows.schema();
        RowDataConverter converter = new RowDataConverter(schema);
        int fields = schema.columnCount();
        for (int r = 0; r < rows.rowCount(); r++) {
            RowData row = converter.toRowData(rows, r);
            rows.rowKind(r);
            rows.rowMarks(r);
            for (int f = 0; f < fields; f++) {
                rows.valueKnown(r, f + 1);
                LogicalType type = schema.column(f).logicalType();
                Object value = RowData.createFieldGetter(type, f).getFieldOrNull(row);
                if (value instanceof ArrayData) {
                    LogicalType element = ((ArrayType) type).getElementType();
                    ArrayData array = (ArrayData) value;
                    ArrayData.ElementGetter getter = ArrayData.createElementGetter(element);
                    for (int i = 0; i < array.size(); i++) {
                        getter.getElementOrNull(array, i);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }

    // ---------------------------------------------------------------- mutations

    /** The frames of a message as {start, headerLength, end} triples. */
    public static List<int[]> frames(byte[] message) {
        List<int[]> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 0;
        while (pos + WireFormat.COMMON_H <= message.length) {
            int h = b.getInt(pos + WireFormat.FRAME_HEADER_LENGTH);
            long length = h + b.getLong(pos + h - WireFormat.BODY_LENGTH_SIZE);
            out.add(new int[] {pos, h, (int) (pos + length)});
            pos += (int) length;
        }
        return out;
    }

    /** Every prefix of the message shorter than it. */
    public void truncations(byte[] message, String name) {
        for (int n = 0; n < message.length; n++) {
            check(java.util.Arrays.copyOf(message, n), name + " truncated to " + n + " bytes");
        }
    }

    /**
     * Each fixed header field of each frame (every aligned 4- and 8-byte word of the header, the
     * value marks included) set to extreme values, and each kind byte set to every kind.
     */
    public void headerFields(byte[] message, String name) {
        for (int[] f : frames(message)) {
            int start = f[0];
            int h = f[1];
            for (int at = start + WireFormat.FRAME_HEADER_LENGTH; at + 4 <= start + h; at += 4) {
                for (long v : EXTREME_32) {
                    byte[] m = message.clone();
                    ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putInt(at, (int) v);
                    check(m, name + " with u32 at " + at + " = " + Long.toUnsignedString(v));
                }
            }
            for (int at = start + 8; at + 8 <= start + h; at += 8) {
                for (long v : EXTREME_64) {
                    byte[] m = message.clone();
                    ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
                    check(m, name + " with u64 at " + at + " = " + Long.toUnsignedString(v));
                }
            }
            for (byte kind : new byte[] {'B', 'S', 'R', 'C', 'T', 'M', 'K', 'X', 0}) {
                byte[] m = message.clone();
                m[start + WireFormat.FRAME_KIND] = kind;
                check(m, name + " with kind " + kind + " at " + start);
            }
        }
    }

    /**
     * Each aligned 4- and 8-byte word of every frame body (Arrow metadata: flatbuffer offsets,
     * vtables, field nodes, buffer offsets and lengths, lengths of T and M entries) set to extreme
     * values.
     */
    public void bodyWords(byte[] message, String name, int maxBodyBytes) {
        for (int[] f : frames(message)) {
            int bodyStart = f[0] + f[1];
            int end = Math.min(f[2], bodyStart + maxBodyBytes);
            for (int at = bodyStart; at + 4 <= end; at += 4) {
                for (long v : BODY_32) {
                    byte[] m = message.clone();
                    ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putInt(at, (int) v);
                    check(m, name + " with body u32 at " + at + " = " + Long.toUnsignedString(v));
                }
            }
            for (int at = bodyStart; at + 8 <= end; at += 8) {
                for (long v : BODY_64) {
                    byte[] m = message.clone();
                    ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
                    check(m, name + " with body u64 at " + at + " = " + Long.toUnsignedString(v));
                }
            }
        }
    }

    /** Random mutations of the seeds for {@link #SECONDS} (or {@code minCases}, if more). */
    public void random(List<byte[]> seeds, String name, long seed, int minCases) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        for (int i = 0; i < minCases || System.nanoTime() < deadline; i++) {
            Random random = new Random(seed * 1_000_003L + i);
            byte[] m = mutate(seeds, random);
            check(m, name + " random case " + i + " of seed " + seed);
        }
    }

    static byte[] mutate(List<byte[]> seeds, Random random) {
        byte[] m = seeds.get(random.nextInt(seeds.size())).clone();
        int rounds = 1 + random.nextInt(random.nextInt(8) + 1);
        for (int k = 0; k < rounds; k++) {
            if (m.length == 0) {
                m = new byte[] {'W', 'A', 1, 'R'};
            }
            ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
            switch (random.nextInt(9)) {
                case 0: // flip a bit
                    {
                        int at = random.nextInt(m.length);
                        m[at] ^= (byte) (1 << random.nextInt(8));
                        break;
                    }
                case 1: // a random byte
                    m[random.nextInt(m.length)] = (byte) random.nextInt(256);
                    break;
                case 2: // an extreme u32
                    if (m.length >= 4) {
                        b.putInt(
                                random.nextInt(m.length - 3),
                                (int) EXTREME_32[random.nextInt(EXTREME_32.length)]);
                    }
                    break;
                case 3: // an extreme u64
                    if (m.length >= 8) {
                        b.putLong(
                                random.nextInt(m.length - 7),
                                EXTREME_64[random.nextInt(EXTREME_64.length)]);
                    }
                    break;
                case 4: // cut
                    m = java.util.Arrays.copyOf(m, random.nextInt(m.length));
                    break;
                case 5: // remove a range
                    {
                        int from = random.nextInt(m.length);
                        int to = Math.min(m.length, from + 1 + random.nextInt(16));
                        byte[] out = new byte[m.length - (to - from)];
                        System.arraycopy(m, 0, out, 0, from);
                        System.arraycopy(m, to, out, from, m.length - to);
                        m = out;
                        break;
                    }
                case 6: // insert random bytes
                    {
                        int at = random.nextInt(m.length + 1);
                        byte[] ins = new byte[1 + random.nextInt(16)];
                        random.nextBytes(ins);
                        byte[] out = new byte[m.length + ins.length];
                        System.arraycopy(m, 0, out, 0, at);
                        System.arraycopy(ins, 0, out, at, ins.length);
                        System.arraycopy(m, at, out, at + ins.length, m.length - at);
                        m = out;
                        break;
                    }
                case 7: // a frame of another seed appended or a frame repeated
                    {
                        byte[] other = seeds.get(random.nextInt(seeds.size()));
                        List<int[]> fs = frames(other);
                        if (!fs.isEmpty()) {
                            int[] f = fs.get(random.nextInt(fs.size()));
                            byte[] out = java.util.Arrays.copyOf(m, m.length + f[2] - f[0]);
                            System.arraycopy(other, f[0], out, m.length, f[2] - f[0]);
                            m = out;
                        }
                        break;
                    }
                default: // copy a chunk over another place (flatbuffer tables pointing astray)
                    {
                        int len = 1 + random.nextInt(Math.min(m.length, 32));
                        int from = random.nextInt(m.length - len + 1);
                        int to = random.nextInt(m.length - len + 1);
                        System.arraycopy(m.clone(), from, m, to, len);
                        break;
                    }
            }
        }
        return m;
    }

    /** Random bytes, half of them behind a valid-looking common header. */
    public void noise(long seed, int count) {
        Random random = new Random(seed);
        for (int i = 0; i < count; i++) {
            byte[] m = new byte[1 + random.nextInt(255)];
            random.nextBytes(m);
            if (i % 2 == 0 && m.length >= 8) {
                m[0] = 'W';
                m[1] = 'A';
                m[2] = 1;
                m[3] = (byte) "BSRCTM".charAt(random.nextInt(6));
                ByteBuffer.wrap(m)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putInt(4, random.nextInt(m.length + 1));
            }
            check(m, "random bytes case " + i + " of seed " + seed);
        }
    }

    /** Writes a failing input to target/fuzz-failures and says where (or gives its hex). */
    static String save(byte[] input, String what) {
        try {
            java.nio.file.Path dir = java.nio.file.Paths.get("target", "fuzz-failures");
            java.nio.file.Files.createDirectories(dir);
            java.nio.file.Path file =
                    dir.resolve(what.replaceAll("[^A-Za-z0-9_.-]+", "_") + ".bin");
            java.nio.file.Files.write(file, input);
            return "of " + input.length + " bytes written to " + file.toAbsolutePath();
        } catch (java.io.IOException | RuntimeException e) {
            return hex(input);
        }
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder(b.length * 2);
        for (byte x : b) {
            s.append(Character.forDigit((x >> 4) & 0xF, 16))
                    .append(Character.forDigit(x & 0xF, 16));
        }
        return s.toString();
    }
}
