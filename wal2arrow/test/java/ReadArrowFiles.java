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

// Developer cross-check of wal2arrow's bytes with Arrow Java (not run by the
// test suite; see ../README.md).
//
//   java ReadArrowFiles ipc SCHEMA_FILE BATCH_FILE...   encapsulated messages
//
// Whole wal2arrow frames are read by the connector's decoder (GoldenFramesTest
// in mvn verify), the only Java copy of the frame layout.
//
// Prints the schema with its metadata and every row, one value per column.
import java.io.ByteArrayInputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Paths;

import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

public class ReadArrowFiles {
    static final BufferAllocator ALLOC = new RootAllocator();

    static ReadChannel channel(byte[] b, int off, int len) {
        return new ReadChannel(Channels.newChannel(new ByteArrayInputStream(b, off, len)));
    }

    static void printSchema(Schema s) {
        System.out.println("schema " + s.getCustomMetadata());
        for (Field f : s.getFields()) {
            System.out.println("  " + f + " " + f.getMetadata());
        }
    }

    static void printBatch(Schema s, ArrowRecordBatch b) {
        try (VectorSchemaRoot root = VectorSchemaRoot.create(s, ALLOC)) {
            new VectorLoader(root, CommonsCompressionFactory.INSTANCE).load(b);
            b.close();
            System.out.println("batch rows=" + root.getRowCount());
            for (int r = 0; r < root.getRowCount(); r++) {
                StringBuilder sb = new StringBuilder("  ");
                for (FieldVector v : root.getFieldVectors()) {
                    Object o;
                    try {
                        o = v.getObject(r);
                        if (o instanceof byte[]) {
                            StringBuilder h = new StringBuilder("0x");
                            for (byte x : (byte[]) o) h.append(String.format("%02x", x));
                            o = h;
                        }
                    } catch (RuntimeException e) {
                        o = "<" + e.getClass().getSimpleName() + ">";
                    }
                    sb.append(v.getName()).append('=').append(o).append(' ');
                }
                System.out.println(sb.toString().stripTrailing());
            }
        }
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("ipc")) {
            byte[] sb = Files.readAllBytes(Paths.get(args[1]));
            Schema s = MessageSerializer.deserializeSchema(channel(sb, 0, sb.length));
            printSchema(s);
            for (int i = 2; i < args.length; i++) {
                byte[] bb = Files.readAllBytes(Paths.get(args[i]));
                printBatch(s, MessageSerializer.deserializeRecordBatch(channel(bb, 0, bb.length), ALLOC));
            }
            return;
        }
        throw new IllegalArgumentException("usage: ReadArrowFiles ipc SCHEMA_FILE BATCH_FILE...");
    }
}
