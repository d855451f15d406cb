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
 * What a value mark in an {@code R} frame header says about a null Arrow value that is <b>not</b>
 * an SQL NULL (PROTOCOL.md section 2, {@code R}).
 */
public enum ValueMark {
    /** An UPDATE left this TOASTed value unchanged and the WAL does not carry it: keep the old. */
    UNCHANGED_TOAST(1),
    /** numeric {@code NaN} in a Decimal128 column (on a List: one or more NaN elements). */
    NAN(2),
    /** numeric {@code +Infinity} in a Decimal128 column. */
    POSITIVE_INFINITY(3),
    /** numeric {@code -Infinity} in a Decimal128 column. */
    NEGATIVE_INFINITY(4),
    /** A value the column's Arrow type cannot express (huge timestamp, 2-D array, ...). */
    NOT_REPRESENTABLE(5);

    private final int code;

    ValueMark(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The mark for a wire code, or {@code null} when protocol version 1 defines none. */
    public static ValueMark fromCode(int code) {
        switch (code) {
            case 1:
                return UNCHANGED_TOAST;
            case 2:
                return NAN;
            case 3:
                return POSITIVE_INFINITY;
            case 4:
                return NEGATIVE_INFINITY;
            case 5:
                return NOT_REPRESENTABLE;
            default:
                return null;
        }
    }
}
