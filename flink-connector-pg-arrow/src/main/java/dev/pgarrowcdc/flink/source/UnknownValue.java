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
package dev.pgarrowcdc.flink.source;

/**
 * Why a field of a captured row is null although the column's value is not SQL NULL: the value is
 * unknown to the source ({@link #ABSENT}, {@link #UNCHANGED_TOAST}) or cannot be held by the
 * field's Flink type (the others). {@link PgArrowRecordContext#unknownValue(int)} reports it per
 * field; any other null is an SQL NULL.
 */
public enum UnknownValue {
    /**
     * A column of a {@code -U} or {@code -D} row that is not part of the table's replica identity:
     * the WAL did not log it (under REPLICA IDENTITY DEFAULT only the key is logged).
     */
    ABSENT,
    /**
     * A {@code +U} row's TOASTed value that the UPDATE did not change and the WAL does not carry
     * (no old tuple had it, as under REPLICA IDENTITY DEFAULT). Only delivered with {@code
     * scan.unchanged-toast.mode} = {@code null}; the default fails the job instead.
     */
    UNCHANGED_TOAST,
    /** numeric {@code NaN} in a DECIMAL field (in an ARRAY: one or more elements, each null). */
    NAN,
    /** numeric {@code +Infinity} in a DECIMAL field. */
    POSITIVE_INFINITY,
    /** numeric {@code -Infinity} in a DECIMAL field. */
    NEGATIVE_INFINITY,
    /**
     * A value the field's type cannot express: a timestamp beyond the int64 microsecond range, a
     * multi-dimensional array, a numeric with more digits than its declared precision allows.
     */
    NOT_REPRESENTABLE
}
