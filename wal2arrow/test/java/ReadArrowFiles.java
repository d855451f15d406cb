// Developer cross-check of wal2arrow's bytes with Arrow Java (not run by the
// test suite; see ../README.md).
//
//   java ReadArrowFiles ipc SCHEMA_FILE BATCH_FILE...   encapsulated messages
//   java ReadArrowFiles frames FILE...                 wal2arrow frames (PROTOCOL.md)
//
// Prints the schema with its metadata and every row, one value per column.
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;

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
        Map<Long, Schema> schemas = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            byte[] m = Files.readAllBytes(Paths.get(args[i]));
            ByteBuffer bb = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
            int pos = 0;
            while (pos < m.length) {
                if (m[pos] != 'W' || m[pos + 1] != 'A' || m[pos + 2] != 1) throw new IllegalStateException("bad frame at " + pos);
                char kind = (char) m[pos + 3];
                int h = bb.getInt(pos + 4);
                long blen = bb.getLong(pos + h - 8);
                switch (kind) {
                    case 'B':
                        System.out.printf("B xid=%d final_lsn=%X commit_time_us=%d%n", bb.getInt(pos + 8), bb.getLong(pos + 16), bb.getLong(pos + 24));
                        break;
                    case 'C':
                        System.out.printf("C xid=%d commit_lsn=%X end_lsn=%X rows=%d%n", bb.getInt(pos + 8), bb.getLong(pos + 16), bb.getLong(pos + 24), bb.getLong(pos + 40));
                        break;
                    case 'S': {
                        long key = ((long) bb.getInt(pos + 8) << 32) | bb.getInt(pos + 12);
                        System.out.printf("S relid=%d version=%d%n", Integer.toUnsignedLong(bb.getInt(pos + 8)), bb.getInt(pos + 12));
                        Schema s = MessageSerializer.deserializeSchema(channel(m, pos + h, (int) blen));
                        schemas.put(key, s);
                        printSchema(s);
                        break;
                    }
                    case 'R': {
                        long key = ((long) bb.getInt(pos + 8) << 32) | bb.getInt(pos + 12);
                        int nmarks = bb.getInt(pos + 20);
                        System.out.printf("R relid=%d version=%d rows=%d first=%d marks=", Integer.toUnsignedLong(bb.getInt(pos + 8)), bb.getInt(pos + 12), bb.getInt(pos + 16), bb.getLong(pos + 24));
                        for (int k = 0; k < nmarks; k++) {
                            int at = pos + 32 + 8 * k;
                            System.out.printf("(%d,%d,%d)", bb.getInt(at), bb.getShort(at + 4), bb.getShort(at + 6));
                        }
                        System.out.println();
                        printBatch(schemas.get(key), MessageSerializer.deserializeRecordBatch(channel(m, pos + h, (int) blen), ALLOC));
                        break;
                    }
                    case 'T':
                        System.out.printf("T flags=%d n=%d%n", bb.getInt(pos + 8), bb.getInt(pos + 12));
                        break;
                    case 'M':
                        System.out.printf("M flags=%d prefix=%s payload_len=%d%n", bb.getInt(pos + 8), new String(m, pos + h, bb.getInt(pos + 24), "UTF-8"), bb.getInt(pos + 28));
                        break;
                    default:
                        throw new IllegalStateException("unknown kind " + kind);
                }
                pos += h + (int) blen;
            }
        }
    }
}
