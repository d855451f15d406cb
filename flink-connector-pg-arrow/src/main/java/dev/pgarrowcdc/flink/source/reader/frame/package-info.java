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
/**
 * Decoding of wal2arrow frames (wal2arrow/PROTOCOL.md, version 1) into Java objects and Flink
 * {@code RowData}.
 *
 * <p>{@link dev.pgarrowcdc.flink.source.reader.frame.WalArrowFrameDecoder} turns each message of a
 * slot (one CopyData payload or one SQL-function row; it may hold several frames) into {@link
 * dev.pgarrowcdc.flink.source.reader.frame.Frame}s: {@code BeginFrame}, {@code SchemaFrame}, {@code
 * RowsFrame} (an Arrow {@code VectorSchemaRoot} it owns: close it), {@code CommitFrame}, {@code
 * TruncateFrame}, {@code MessageFrame}. Schema bodies are converted by Arrow Java after a bounded
 * walk of their flatbuffer; RecordBatch bodies are loaded by {@code RecordBatchLoader}, which
 * checks every node, buffer and offset against what arrived and decompresses LZ4_FRAME and ZSTD
 * buffers itself (commons-compress, zstd-jni), never beyond the length the batch needs. The layout
 * of frames is named once in {@link dev.pgarrowcdc.flink.source.reader.frame.WireFormat}. One
 * decoder per decoding session: schema versions restart on every connection.
 *
 * <p>{@link dev.pgarrowcdc.flink.source.reader.frame.RowDataConverter} maps rows to Flink types
 * following the README's type map, with these decisions:
 *
 * <ul>
 *   <li>A null that is not an SQL NULL is never hidden: columns absent from {@code -U}/{@code -D}
 *       rows (outside the replica identity) and values carrying a {@link
 *       dev.pgarrowcdc.flink.source.reader.frame.ValueMark} (unchanged TOAST, numeric NaN/±Infinity
 *       in DECIMAL columns, values the Arrow type cannot hold such as 2-D arrays) are null in the
 *       {@code RowData}, and {@code RowsFrame.isAbsent}/{@code mark}/{@code valueKnown} say so.
 *   <li>PostgreSQL {@code time} is Flink {@code TIME(3)}: Flink stores milliseconds of the day, so
 *       microseconds are cut, and {@code 24:00:00} becomes 23:59:59.999.
 *   <li>{@code ±infinity} dates and timestamps keep the protocol's sentinels (INT32/INT64 max and
 *       min), exposed as constants on {@code RowDataConverter}.
 *   <li>Nothing depends on the JVM's or the server's time zone.
 * </ul>
 *
 * <p>The LZ4 frame decoder of commons-compress 1.27 needs commons-io 2.16 or newer (it calls {@code
 * BoundedInputStream.builder()}); Flink 1.20 brings 2.15.1, so the connector pins 2.16.1 and a
 * shaded jar must carry it.
 */
package dev.pgarrowcdc.flink.source.reader.frame;
