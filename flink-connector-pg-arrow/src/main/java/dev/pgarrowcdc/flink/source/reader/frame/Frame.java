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

/**
 * One decoded wal2arrow frame. Subclasses are final and immutable except {@link RowsFrame}, which
 * owns Arrow memory; {@link #close()} is a no-op for every other kind, so a consumer may close
 * whatever it got.
 */
public abstract class Frame implements AutoCloseable {

    Frame() {}

    public abstract FrameKind kind();

    /** Releases what the frame owns. Only {@link RowsFrame} owns anything. */
    @Override
    public void close() {}
}
