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
 * A wal2arrow frame that this reader cannot decode: wrong magic, unknown protocol version or kind,
 * a frame shorter than its header says, rows for a relation whose schema was never sent, or an
 * Arrow IPC body that does not parse. The message names the source (e.g. the slot), the frame kind
 * and offset, and what was expected versus found.
 *
 * <p>Unchecked: a malformed frame is a bug in the plugin or a mismatch of versions, never something
 * a retry of the same bytes would fix.
 */
public class FrameFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public FrameFormatException(String message) {
        super(message);
    }

    public FrameFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
