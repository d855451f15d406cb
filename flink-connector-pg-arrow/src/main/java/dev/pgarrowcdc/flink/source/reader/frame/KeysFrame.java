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

import javax.annotation.Nullable;

import java.util.Arrays;

/**
 * {@code K}: the chunk-key values of the rows of the {@code R} frame before it, as the text forms
 * of the key columns' output functions. Written only by the snapshot function {@code
 * wal2arrow_snapshot}; the connector binds them back as {@code $n} text parameters to resume a
 * chunk after the last row it emitted.
 */
public final class KeysFrame extends Frame {

    private final int rowCount;
    private final int columnCount;

    /** Row-major: row r, column c at {@code r * columnCount + c}; null for a NULL value. */
    private final String[] values;

    KeysFrame(int rowCount, int columnCount, String[] values) {
        if (values.length != (long) rowCount * columnCount) {
            throw new IllegalArgumentException(
                    values.length + " values for " + rowCount + " x " + columnCount);
        }
        this.rowCount = rowCount;
        this.columnCount = columnCount;
        this.values = values;
    }

    @Override
    public FrameKind kind() {
        return FrameKind.KEYS;
    }

    /** Rows described: the preceding {@code R} frame's row count. */
    public int rowCount() {
        return rowCount;
    }

    public int columnCount() {
        return columnCount;
    }

    /** The key texts of one row, a new array. */
    public String[] row(int row) {
        if (row < 0 || row >= rowCount) {
            throw new IndexOutOfBoundsException("row " + row + " of " + rowCount);
        }
        return Arrays.copyOfRange(values, row * columnCount, (row + 1) * columnCount);
    }

    @Nullable
    public String value(int row, int column) {
        if (column < 0 || column >= columnCount) {
            throw new IndexOutOfBoundsException("column " + column + " of " + columnCount);
        }
        if (row < 0 || row >= rowCount) {
            throw new IndexOutOfBoundsException("row " + row + " of " + rowCount);
        }
        return values[row * columnCount + column];
    }

    @Override
    public String toString() {
        return "KeysFrame{rows=" + rowCount + ", columns=" + columnCount + '}';
    }
}
